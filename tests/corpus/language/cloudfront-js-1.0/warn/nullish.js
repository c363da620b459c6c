// expect: 3:47 may not support the `??` operator
function handler(event) {
    var lang = event.request.querystring.lang ?? "en";
    console.log(lang);
    return event.request;
}
