import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey, sign, verify, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createSecureContext, createServer } from 'node:tls';
import { after, test } from 'node:test';
import { makeRsaKeyPair, makeTestCertificates } from './certs.ts';

const dirs: string[] = [];
after(async () => {
  await Promise.allSettled(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

test('makeTestCertificates produces a CA-signed server cert for 127.0.0.1 and localhost', async () => {
  const certs = await makeTestCertificates();
  dirs.push(certs.dir);
  const [cert, key] = await Promise.all([readFile(certs.certPath), readFile(certs.keyPath)]);

  assert.doesNotThrow(() => createSecureContext({ cert, key, ca: certs.caCert }));

  const x509 = new X509Certificate(cert);
  const ca = new X509Certificate(certs.caCert);
  assert.match(x509.subjectAltName ?? '', /IP Address:127\.0\.0\.1/);
  assert.match(x509.subjectAltName ?? '', /DNS:localhost/);
  assert.match(x509.subject, /CN=localhost/);
  assert.ok(x509.checkIssued(ca));
  assert.ok(x509.verify(ca.publicKey));
  assert.ok(ca.ca);
  assert.ok(new Date(x509.validTo).getTime() > Date.now() + 23 * 3600_000);

  // A real handshake: the client verifies the chain and the IP SAN.
  const server = createServer({ cert, key }, (socket) => socket.end('hello'));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const { port } = server.address() as { port: number };
    const client = connect({ host: '127.0.0.1', port, ca: certs.caCert });
    await once(client, 'secureConnect');
    assert.equal(client.authorized, true);
    client.destroy();
  } finally {
    server.close();
  }
});

test('makeTestCertificates writes into a given directory', async () => {
  const parent = await mkdtemp(join(tmpdir(), 'cathode-certs-test-'));
  dirs.push(parent);
  const dir = join(parent, 'nested');
  const certs = await makeTestCertificates(dir);
  assert.equal(certs.dir, dir);
  assert.ok(certs.caCertPath.startsWith(dir));
});

test('makeRsaKeyPair writes a matching pkcs8/spki PEM pair', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cathode-rsa-test-'));
  dirs.push(dir);
  const { privateKeyPath, publicKeyPath } = makeRsaKeyPair(dir);
  const privatePem = await readFile(privateKeyPath, 'utf8');
  const publicPem = await readFile(publicKeyPath, 'utf8');
  assert.match(privatePem, /^-----BEGIN PRIVATE KEY-----/);
  assert.match(publicPem, /^-----BEGIN PUBLIC KEY-----/);
  const data = Buffer.from('cathode');
  const signature = sign('sha256', data, createPrivateKey(privatePem));
  assert.ok(verify('sha256', data, createPublicKey(publicPem), signature));
});
