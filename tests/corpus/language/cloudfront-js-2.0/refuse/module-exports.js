// expect: 5:1 does not support `module`
function handler(event) {
    return event.request;
}
module.exports = { handler };
