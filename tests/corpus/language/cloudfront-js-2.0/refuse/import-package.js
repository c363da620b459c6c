// expect: 2:24 does not support the module `jsonwebtoken`
import { verify } from "jsonwebtoken";
function handler(event) {
    return event.request;
}
