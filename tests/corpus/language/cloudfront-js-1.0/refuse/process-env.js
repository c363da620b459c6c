// expect: 3:18 does not support `process`
function handler(event) {
    var target = process.env.TARGET;
    event.request.uri = target;
    return event.request;
}
