// expect: 3:17 does not support `btoa()`
function handler(event) {
    var token = btoa(event.request.uri);
    console.log(token);
    return event.request;
}
