// expect: 2:18 does not support the `fs` module
var fs = require("fs");
function handler(event) {
    return event.request;
}
