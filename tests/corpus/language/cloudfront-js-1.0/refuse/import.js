// expect: 2:1 does not support `import`
import cf from "cloudfront";
function handler(event) {
    return event.request;
}
