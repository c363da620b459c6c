// expect: 7:5 does not support `setTimeout()`
function helper() {
    var setTimeout = 1;
    return setTimeout;
}
function handler(event) {
    setTimeout(helper, 1);
    return event.request;
}
