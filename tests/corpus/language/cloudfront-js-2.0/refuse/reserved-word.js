// expect: 3:9 does not support `interface` as a name
function handler(event) {
    var interface = event.request;
    return interface;
}
