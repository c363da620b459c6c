// The built-in modules of runtime 1.0, loaded with require: crypto and querystring.
var crypto = require('crypto');
var querystring = require('querystring');

function handler(event) {
    var request = event.request;
    var digest = crypto.createHash('sha256').update(request.uri).digest('hex');
    var signature = crypto.createHmac('sha1', 'not-a-secret').update(digest).digest('base64url');
    var query = querystring.stringify({ sig: signature, page: '1' });
    var parsed = querystring.parse(query);
    request.headers['x-digest'] = { value: digest.substring(0, 16) + ':' + parsed.page };
    return request;
}
