// expect: 2:1 does not support `const`
const GREETING = "hello";
function handler(event) {
    return event.request;
}
