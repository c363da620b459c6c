// expect: 3:9 may not support destructuring
function handler(event) {
    var { request } = event;
    return request;
}
