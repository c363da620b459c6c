// expect: 3:50 may not support an async function passed as an argument
async function handler(event) {
    const all = await Promise.all(["a", "b"].map(async (name) => name));
    return event.request;
}
