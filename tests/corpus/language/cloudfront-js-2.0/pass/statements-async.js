// Runtime 2.0 adds const, let, async and await to the ES 5.1 statements; await inside an async
// function only.
const LIMIT = 3;

async function lookup(name) {
    return await Promise.resolve(name.toUpperCase());
}

async function handler(event) {
    let request = event.request;
    let count = 0;
    for (let key in request.headers) {
        if (count >= LIMIT) {
            break;
        }
        count++;
    }
    for (const name of ['a', 'b']) {
        count += name.length;
    }
    const upper = await lookup('x');
    request.headers['x-count'] = { value: `${count}-${upper}` };
    return request;
}
