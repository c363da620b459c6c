// expect: 3:28 may not support spread syntax
function handler(event) {
    var parts = ["a", "b", ...event.request.uri.split("/")];
    console.log(parts.length);
    return event.request;
}
