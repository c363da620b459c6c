// expect: 4:9 does not support `uri` declared twice in one scope
function handler(event) {
    let uri = event.request.uri;
    let uri = uri.toLowerCase();
    event.request.uri = uri;
    return event.request;
}
