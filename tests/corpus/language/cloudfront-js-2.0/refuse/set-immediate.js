// expect: 3:5 does not support `setImmediate()`
async function handler(event) {
    setImmediate(() => console.log("later"));
    return event.request;
}
