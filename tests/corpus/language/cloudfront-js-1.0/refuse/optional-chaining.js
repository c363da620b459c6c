// expect: 3:16 does not support optional chaining
function handler(event) {
    var host = event.request.headers.host?.value;
    console.log(host);
    return event.request;
}
