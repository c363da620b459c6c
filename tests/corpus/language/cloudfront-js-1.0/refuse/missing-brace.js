// expect: 3:26 cannot compile this: syntax error, `}` expected
function handler(event) {
    return event.request;

