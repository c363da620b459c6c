// expect: 3:5 does not support `with`
function handler(event) {
    with (event) {
        return request;
    }
}
