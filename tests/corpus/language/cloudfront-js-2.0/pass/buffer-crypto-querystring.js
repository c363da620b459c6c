// The built-in modules of runtime 2.0: Buffer, crypto (by import and by require) and querystring.
import crypto from 'crypto';
const querystring = require('querystring');

function handler(event) {
    const request = event.request;
    const encoded = Buffer.from(request.uri, 'utf8').toString('base64');
    const digest = crypto.createHash('sha256').update(request.uri).digest();
    const signature = crypto.createHmac('sha256', 'not-a-secret').update(encoded).digest('hex');
    const query = querystring.stringify({ sig: signature.substring(0, 8), len: digest.length });
    request.headers['x-query'] = { value: query };
    return request;
}
