// expect: 4:26 may not support the `||=` operator
function handler(event) {
    const headers = event.request.headers;
    headers["x-default"] ||= { value: "1" };
    return event.request;
}
