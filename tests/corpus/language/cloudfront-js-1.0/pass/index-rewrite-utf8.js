// Realistic: append index.html to directory URIs and normalise a UTF-8 header with the 1.0
// String extensions.
function handler(event) {
    var request = event.request;
    var uri = request.uri;
    if (uri.endsWith('/')) {
        request.uri += 'index.html';
    } else if (!uri.includes('.')) {
        request.uri += '/index.html';
    }
    var agent = request.headers['user-agent'];
    if (agent) {
        var bytes = agent.value.toUTF8();
        request.headers['x-agent-bytes'] = { value: String(bytes.length) };
    }
    return request;
}
