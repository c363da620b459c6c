// Realistic: A/B routing on a cookie with const and let.
const EXPERIMENT = 'exp-home';
const GROUPS = ['a', 'b'];

function handler(event) {
    const request = event.request;
    const cookie = request.cookies[EXPERIMENT];
    let group = cookie && GROUPS.includes(cookie.value) ? cookie.value : null;
    if (group === null) {
        group = GROUPS[Math.floor(Math.random() * GROUPS.length)];
    }
    if (request.uri === '/') {
        request.uri = `/${group}/index.html`;
    }
    request.cookies[EXPERIMENT] = { value: group };
    return request;
}
