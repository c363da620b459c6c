// expect: 2:1 does not support generator functions
function* ids() {
    yield 1;
}
function handler(event) {
    return event.request;
}
