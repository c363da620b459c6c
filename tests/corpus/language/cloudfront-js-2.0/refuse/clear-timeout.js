// expect: 3:5 does not support `clearTimeout()`
function handler(event) {
    clearTimeout(1);
    return event.request;
}
