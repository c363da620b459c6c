// expect: 2:22 does not support the `buffer` module
var buffer = require("buffer");
function handler(event) {
    return event.request;
}
