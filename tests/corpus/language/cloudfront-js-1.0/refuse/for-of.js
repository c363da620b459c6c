// expect: 4:18 does not support `for...of` loops
function handler(event) {
    var total = 0;
    for (var key of Object.keys(event.request.headers)) {
        total += key.length;
    }
    return event.request;
}
