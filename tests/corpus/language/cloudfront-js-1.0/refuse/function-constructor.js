// expect: 3:20 does not support the `Function` constructor
function handler(event) {
    var pick = new Function("e", "return e.request");
    return pick(event);
}
