// expect: 3:18 does not support `await` outside an async function
import cf from "cloudfront";
const greeting = await cf.kvs().get("greeting");
function handler(event) {
    return event.request;
}
