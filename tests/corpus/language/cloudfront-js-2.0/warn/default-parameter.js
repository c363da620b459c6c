// expect: 2:24 may not support default parameter values
function header(value, fallback = "none") {
    return { value: value || fallback };
}
function handler(event) {
    event.request.headers["x-h"] = header("");
    return event.request;
}
