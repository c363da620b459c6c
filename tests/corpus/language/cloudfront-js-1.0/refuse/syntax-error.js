// expect: 3:17 cannot compile this: syntax error, unexpected `=`
function handler(event) {
    var request = ;
    return request;
}
