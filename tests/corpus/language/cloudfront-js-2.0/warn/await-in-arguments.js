// expect: 6:24 `await` in a call's arguments
import cf from 'cloudfront';
const kvs = cf.kvs();
async function handler(event) {
    const request = event.request;
    var share = Number(await kvs.get('share'));
    console.log(share);
    return request;
}
