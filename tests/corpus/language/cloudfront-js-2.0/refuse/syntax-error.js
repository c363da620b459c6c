// expect: 4:22 cannot compile this: syntax error, unexpected `)`
async function handler(event) {
    const request = event.request
    return request;;;)
}
