// expect: 3:12 does not support `eval()`
function handler(event) {
    return eval("event.request");
}
