// expect: 2:1 does not support `async` functions
async function handler(event) {
    return event.request;
}
