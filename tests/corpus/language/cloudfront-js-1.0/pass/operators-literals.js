// ES 5.1 operators, the ES 7 exponentiation operator, ES 6 template literals, arrow functions and
// rest parameters, named capture groups and Unicode escapes: all listed for runtime 1.0.
function sum(first, ...rest) {
    return rest.reduce((total, n) => total + n, first);
}

function handler(event) {
    var request = event.request;
    var size = 2 ** 10;
    var flags = (size & 0xff) | (size >> 2) ^ ~size;
    var kind = typeof request.uri === 'string' && !(request.uri instanceof Object) ? 'text' : 'other';
    var hasHost = 'host' in request.headers;
    var total = sum(1, 2, 3);
    var match = /^\/(?<lang>[a-z]{2})\//.exec(request.uri);
    var lang = match ? match.groups.lang : 'en';
    var greeting = `caf\u00e9 ${lang}
and ${`nested ${total}`}`;
    delete request.querystring.debug;
    request.headers['x-info'] = { value: [size, flags, kind, hasHost, greeting.length].join(',') };
    return request;
}
