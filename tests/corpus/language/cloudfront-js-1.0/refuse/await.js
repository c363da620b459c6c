// expect: 3:20 does not support `await`
function handler(event) {
    var request = (await Promise.resolve(event)).request;
    return request;
}
