// expect: 3:21 does not support `await` outside an async function
function handler(event) {
    const request = await Promise.resolve(event.request);
    return request;
}
