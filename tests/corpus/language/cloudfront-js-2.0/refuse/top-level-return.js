// expect: 5:1 does not support `return` outside a function
function handler(event) {
    return event.request;
}
return handler;
