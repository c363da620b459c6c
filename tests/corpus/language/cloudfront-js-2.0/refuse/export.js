// expect: 2:1 does not support `export`
export default function handler(event) {
    return event.request;
}
