// expect: 3:5 may not support an async function inside another function
async function handler(event) {
    async function inner() {
        return event.request;
    }
    return await inner();
}
