// expect: 3:20 does not support the octal escape
function handler(event) {
    var marker = 'a\01';
    console.log(marker);
    return event.request;
}
