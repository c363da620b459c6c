// Operators, template literals, arrow functions and rest parameters listed for runtime 2.0.
const sum = (first, ...rest) => rest.reduce((total, n) => total + n, first);

function handler(event) {
    const request = event.request;
    const size = 2 ** 10;
    const flags = (size & 0xff) | (size >> 2) ^ ~size;
    const kind = typeof request.uri === 'string' ? 'text' : 'other';
    const match = /^\/(?<lang>[a-z]{2})\//.exec(request.uri);
    const lang = match ? match.groups.lang : 'en';
    const note = `size ${size}
flags ${flags} ${`nested ${sum(1, 2, 3)}`} ${kind} ${lang}`;
    request.headers['x-note'] = { value: note.split('\n').join(' ') };
    return request;
}
