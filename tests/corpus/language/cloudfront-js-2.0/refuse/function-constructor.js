// expect: 3:18 does not support the `Function` constructor
function handler(event) {
    const pick = Function("e", "return e.request");
    return pick(event);
}
