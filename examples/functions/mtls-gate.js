// A connection function (viewer mTLS): allow a client certificate from the company's CA unless its
// serial number is on the revocation list in the KeyValueStore.
import cf from 'cloudfront';

const revoked = cf.kvs();

async function handler(connection) {
  const cert = connection.clientCertInfo || {};
  if (cert.issuer !== 'CN=Example Corp Client CA') {
    console.log('unknown issuer ' + cert.issuer);
    connection.deny();
    return;
  }
  if (await revoked.exists(cert.serialNumber)) {
    console.log('revoked ' + cert.serialNumber);
    connection.deny();
    return;
  }
  connection.allow();
}
