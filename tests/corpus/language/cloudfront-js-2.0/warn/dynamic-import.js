// expect: 3:11 may not support dynamic `import()`
async function handler(event) {
    await import("crypto");
    return event.request;
}
