// expect: 2:1 may not support this form of `import`
import { createHash } from "crypto";
function handler(event) {
    return event.request;
}
