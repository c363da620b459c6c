// expect: 2:16 does not support the `fs` module
import fs from "fs";
function handler(event) {
    return event.request;
}
