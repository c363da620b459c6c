// expect: 3:17 does not support `import.meta`
function handler(event) {
    console.log(import.meta);
    return event.request;
}
