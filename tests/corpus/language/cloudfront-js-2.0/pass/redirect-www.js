// Realistic: the bare domain goes to www with a 301, keeping path and query.
function handler(event) {
    const request = event.request;
    const host = request.headers.host ? request.headers.host.value : '';
    if (host && !host.startsWith('www.')) {
        const query = Object.entries(request.querystring)
            .map(([key, entry]) => `${key}=${entry.value}`)
            .join('&');
        return {
            statusCode: 301,
            statusDescription: 'Moved Permanently',
            headers: { location: { value: `https://www.${host}${request.uri}${query ? '?' + query : ''}` } },
        };
    }
    return request;
}
