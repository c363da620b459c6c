// expect: 3:5 does not support generator functions
const ids = {
    *next() { yield 1; },
};
function handler(event) {
    return event.request;
}
