// expect: 4:17 may not support `require` of a module named at run time
const name = "crypto";
function handler(event) {
    const mod = require(name);
    return event.request;
}
