// expect: 3:11 does not support `const` without a value
function handler(event) {
    const uri;
    return event.request;
}
