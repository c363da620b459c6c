// expect: 3:5 does not support `let`
function handler(event) {
    let request = event.request;
    return request;
}
