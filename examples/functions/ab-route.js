import cf from 'cloudfront';

const kvs = cf.kvs();

async function handler(event) {
  const request = event.request;
  const cookie = request.cookies.variant && request.cookies.variant.value;
  let share = 0;
  try {
    const value = await kvs.get('new-origin-share');
    share = Number(value);
  } catch (err) {
    console.log(`no share configured: ${err}`);
  }
  const bucket = cookie || (Math.random() * 100 < share ? 'b' : 'a');
  if (bucket === 'b') {
    request.uri = '/b' + request.uri;
  }
  return request;
}
