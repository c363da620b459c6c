// expect: 3:17 does not support `Buffer`
function handler(event) {
    var bytes = Buffer.from(event.request.uri);
    console.log(bytes.length);
    return event.request;
}
