// Realistic: redirects kept in a KeyValueStore, read with the cloudfront module.
import cf from 'cloudfront';

const kvsHandle = cf.kvs();

async function handler(event) {
    const request = event.request;
    let target;
    try {
        target = await kvsHandle.get(request.uri);
    } catch (err) {
        console.log(`no redirect for ${request.uri}: ${err}`);
        return request;
    }
    return {
        statusCode: 302,
        statusDescription: 'Found',
        headers: { location: { value: target } },
    };
}
