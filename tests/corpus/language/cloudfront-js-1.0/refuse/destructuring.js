// expect: 3:9 does not support destructuring
function handler(event) {
    var { request } = event;
    return request;
}
