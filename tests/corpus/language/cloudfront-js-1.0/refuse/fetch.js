// expect: 3:5 does not support `fetch`
function handler(event) {
    fetch("https://example.com/log");
    return event.request;
}
