// Realistic: send the bare domain to www with a 301, keeping path and query.
function handler(event) {
    var request = event.request;
    var host = request.headers.host && request.headers.host.value;
    if (host && host.indexOf('www.') !== 0) {
        var query = Object.keys(request.querystring).map(function (key) {
            return key + '=' + request.querystring[key].value;
        }).join('&');
        var location = 'https://www.' + host + request.uri + (query ? '?' + query : '');
        return {
            statusCode: 301,
            statusDescription: 'Moved Permanently',
            headers: { location: { value: location } }
        };
    }
    return request;
}
