// Every ES 5.1 statement the runtime 1.0 page lists.
function handler(event) {
    var request = event.request;
    var count = 0;
    outer: for (var i = 0; i < 3; i++) {
        for (var key in request.headers) {
            if (key === 'skip') {
                continue outer;
            } else if (key === 'stop') {
                break outer;
            }
            count++;
        }
    }
    do {
        count--;
    } while (count > 10);
    while (count < 0) {
        count++;
    }
    switch (request.method) {
        case 'GET':
            count += 1;
            break;
        default:
            count += 2;
    }
    try {
        if (count > 100) {
            throw new RangeError('too many headers');
        }
    } catch (err) {
        console.log(err.message);
    } finally {
        request.headers['x-count'] = { value: String(count) };
    }
    return request;
}
