// The non-standard String methods of runtime 1.0: bytesFrom, fromBytes, fromUTF8, toBytes, toUTF8.
function handler(event) {
    var request = event.request;
    var utf8 = 'caf\u00e9'.toUTF8();
    var text = utf8.fromUTF8();
    var raw = 'abc'.toBytes();
    var latin = raw.fromBytes();
    var fromHex = String.bytesFrom('616263', 'hex');
    request.headers['x-bytes'] = { value: [utf8.length, text, latin, fromHex].join('|') };
    return request;
}
