// expect: 3:17 does not support `atob()`
function handler(event) {
    var token = atob(event.request.querystring.t.value);
    console.log(token);
    return event.request;
}
