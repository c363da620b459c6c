// expect: 4:9 does not support `break` outside a loop or switch
function handler(event) {
    if (event.request.uri === '/') {
        break;
    }
    return event.request;
}
