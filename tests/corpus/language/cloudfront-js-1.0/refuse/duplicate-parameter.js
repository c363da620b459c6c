// expect: 2:18 does not support the parameter name `a` twice
function pick(a, a) {
    return a;
}
function handler(event) {
    return pick(event.request, event.request);
}
