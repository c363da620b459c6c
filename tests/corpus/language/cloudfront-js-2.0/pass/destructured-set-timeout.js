var helpers = { setTimeout: function (run) { return run(); } };
function handler(event) {
    var { setTimeout } = helpers;
    setTimeout(function () { console.log('now'); });
    return event.request;
}
