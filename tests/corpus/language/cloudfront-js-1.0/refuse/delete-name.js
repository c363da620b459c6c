// expect: 4:5 does not support `delete` of a plain name
function handler(event) {
    var request = event.request;
    delete request;
    return event.request;
}
