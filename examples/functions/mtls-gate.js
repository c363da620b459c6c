// A connection function (viewer mTLS): allow a client certificate from the company's CA unless its
// serial number is on the revocation list in the KeyValueStore. CloudFront denies a connection the
// function does not decide, so every path here says which.
import cf from 'cloudfront';

const revoked = cf.kvs();

async function connectionHandler(connection) {
  const leaf = (connection.clientCertificate || { certificates: {} }).certificates.leaf || {};
  if (leaf.issuer !== 'CN=Example Corp Client CA') {
    console.log('unknown issuer ' + leaf.issuer);
    return connection.deny();
  }
  if (await revoked.exists(leaf.serialNumber)) {
    console.log('revoked ' + leaf.serialNumber);
    return connection.deny();
  }
  return connection.allow();
}
