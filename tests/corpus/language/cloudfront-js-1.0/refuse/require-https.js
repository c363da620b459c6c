// expect: 2:21 does not support the `node:https` module
var https = require("node:https");
function handler(event) {
    return event.request;
}
