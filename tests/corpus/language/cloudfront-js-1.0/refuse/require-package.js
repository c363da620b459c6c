// expect: 2:22 does not support the module `lodash`
var lodash = require("lodash");
function handler(event) {
    return event.request;
}
