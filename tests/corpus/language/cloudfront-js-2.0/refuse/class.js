// expect: 2:1 does not support classes
class Router {
    route(request) { return request; }
}
function handler(event) {
    return new Router().route(event.request);
}
