// expect: 3:16 does not support the legacy octal literal `0644`
function handler(event) {
    var mode = 0644;
    console.log(mode);
    return event.request;
}
