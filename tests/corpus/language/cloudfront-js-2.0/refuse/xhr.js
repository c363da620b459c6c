// expect: 3:21 does not support `XMLHttpRequest`
function handler(event) {
    const xhr = new XMLHttpRequest();
    return event.request;
}
