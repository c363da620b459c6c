// expect: 3:37 may not support `String.prototype.toUTF8()`
function handler(event) {
    const bytes = event.request.uri.toUTF8();
    console.log(bytes);
    return event.request;
}
