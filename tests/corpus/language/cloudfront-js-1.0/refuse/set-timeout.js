// expect: 3:5 does not support `setTimeout()`
function handler(event) {
    setTimeout(function () {}, 10);
    return event.request;
}
