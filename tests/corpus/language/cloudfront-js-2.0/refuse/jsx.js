// expect: 3:12 does not support JSX
function handler(event) {
    return <div>{event.request.uri}</div>;
}
