// expect: 4:10 does not support `let`
function handler(event) {
    var names = [];
    for (let name in event.request.headers) {
        names.push(name);
    }
    return event.request;
}
