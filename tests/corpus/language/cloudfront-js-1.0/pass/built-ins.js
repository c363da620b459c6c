// Primitive and built-in objects, globals and error types listed for runtime 1.0.
function handler(event) {
    var request = event.request;
    var copy = Object.assign({}, request.headers);
    var names = Object.keys(copy).filter(function (name) { return name.startsWith('x-'); });
    var pairs = Object.entries(request.querystring).map((pair) => pair[0] + '=' + pair[1].value);
    var padded = String(names.length).padStart(3, '0').trimEnd();
    var found = [3, 1, 2].sort().find((n) => n > 1);
    var bytes = new Uint8Array(4).fill(7);
    var rounded = Math.trunc(Math.log2(1024)) + Number.parseInt('42', 10);
    var started = new Date().toISOString();
    var decoded = decodeURIComponent(encodeURIComponent(request.uri));
    var valid = !isNaN(rounded) && isFinite(rounded) && globalThis !== undefined;
    if (!valid) {
        throw new TypeError('unexpected');
    }
    var parsed = JSON.parse(JSON.stringify({ pairs: pairs, padded: padded, found: found }));
    console.log(parsed.padded, bytes.join(''), started, decoded, Infinity > 0, NaN !== NaN);
    return request;
}
