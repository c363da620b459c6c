// expect: 3:16 does not support the legacy octal literal `010`
function handler(event) {
    var mode = 010;
    console.log(mode);
    return event.request;
}
