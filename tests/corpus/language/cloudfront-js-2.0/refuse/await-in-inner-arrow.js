// expect: 3:39 does not support `await` outside an async function
async function handler(event) {
    const names = ["a"].map((name) => await Promise.resolve(name));
    return event.request;
}
