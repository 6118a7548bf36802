import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from './processes.ts';

export interface TestCertificates {
  dir: string;
  caCertPath: string;
  certPath: string;
  keyPath: string;
  caCert: string;
}

const VALID_DAYS = '2';

/** A throwaway CA plus a server certificate it signed, for CN=localhost / 127.0.0.1 (openssl CLI). */
export async function makeTestCertificates(dir?: string): Promise<TestCertificates> {
  const target = dir ?? (await mkdtemp(join(tmpdir(), 'cathode-certs-')));
  await mkdir(target, { recursive: true });
  const path = (name: string): string => join(target, name);

  await run('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', VALID_DAYS,
    '-subj', '/CN=Cathode Test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    '-keyout', path('ca-key.pem'), '-out', path('ca-cert.pem'),
  ]);
  await run('openssl', [
    'req', '-newkey', 'rsa:2048', '-nodes', '-sha256',
    '-subj', '/CN=localhost',
    '-keyout', path('server-key.pem'), '-out', path('server.csr'),
  ]);
  // Clients verify the SAN, not the CN, so both the IP and the name must be listed.
  await writeFile(
    path('server-ext.cnf'),
    [
      'basicConstraints=CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '',
    ].join('\n'),
  );
  await run('openssl', [
    'x509', '-req', '-sha256', '-days', VALID_DAYS,
    '-in', path('server.csr'), '-CA', path('ca-cert.pem'), '-CAkey', path('ca-key.pem'), '-CAcreateserial',
    '-extfile', path('server-ext.cnf'), '-out', path('server-cert.pem'),
  ]);
  await rm(path('server.csr'), { force: true });

  return {
    dir: target,
    caCertPath: path('ca-cert.pem'),
    certPath: path('server-cert.pem'),
    keyPath: path('server-key.pem'),
    caCert: await readFile(path('ca-cert.pem'), 'utf8'),
  };
}

/** An RSA key pair in PEM files (pkcs8 private, spki public), e.g. for caching_sha2_password. */
export function makeRsaKeyPair(dir: string): { privateKeyPath: string; publicKeyPath: string } {
  mkdirSync(dir, { recursive: true });
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const privateKeyPath = join(dir, 'private_key.pem');
  const publicKeyPath = join(dir, 'public_key.pem');
  writeFileSync(privateKeyPath, privateKey, { mode: 0o600 });
  writeFileSync(publicKeyPath, publicKey);
  return { privateKeyPath, publicKeyPath };
}
