// expect: 2:21 does not support the `net` module
const net = require("net");
function handler(event) {
    return event.request;
}
