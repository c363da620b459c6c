function handler(event) {
    try {
        throw function () { return 'retry'; };
    } catch (fetch) {
        console.log(fetch());
    }
    return event.request;
}
