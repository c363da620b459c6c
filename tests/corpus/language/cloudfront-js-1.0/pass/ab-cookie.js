// Realistic: A/B routing on a cookie, with a sticky assignment for new visitors.
var EXPERIMENT = 'exp-home';

function handler(event) {
    var request = event.request;
    var cookie = request.cookies[EXPERIMENT];
    var group = cookie ? cookie.value : (Math.random() < 0.5 ? 'a' : 'b');
    if (request.uri === '/' || request.uri === '/index.html') {
        request.uri = '/' + group + '/index.html';
    }
    request.cookies[EXPERIMENT] = { value: group };
    return request;
}
