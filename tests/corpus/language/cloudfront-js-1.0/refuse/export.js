// expect: 2:1 does not support `export`
export function handler(event) {
    return event.request;
}
