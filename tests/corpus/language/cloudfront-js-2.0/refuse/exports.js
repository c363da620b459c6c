// expect: 5:1 does not support `exports`
function handler(event) {
    return event.request;
}
exports.handler = handler;
