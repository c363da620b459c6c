// expect: 3:24 does not support `String.bytesFrom()`
function handler(event) {
    var bytes = String.bytesFrom('616263', 'hex');
    console.log(bytes);
    return event.request;
}
