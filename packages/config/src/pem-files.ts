// tls and rsaKeys files are parsed at load time, so a truncated or swapped PEM
// fails `--check-config` and start-up with its path named, instead of crashing
// every reactor at its first TLS handshake. Messages name files and key types,
// never key material.
import { type KeyObject, X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ConfigIssue } from './config-error.ts';

export interface TlsFiles {
  cert: string;
  key: string;
}

export interface RsaKeyFiles {
  privateKey: string;
  publicKey: string;
}

/** Adds an issue for each tls file that is not a PEM certificate / private key, or a key that does not match the certificate. */
export function checkTlsFiles(tls: TlsFiles | undefined, issues: ConfigIssue[]): void {
  if (tls === undefined) return;
  const cert = parsePem(tls.cert, 'tls.cert', 'a PEM certificate', (text) => new X509Certificate(text), issues);
  const key = parsePem(tls.key, 'tls.key', 'a PEM private key', (text) => createPrivateKey(text), issues);
  if (cert && key && !cert.checkPrivateKey(key)) {
    issues.push({ path: 'tls.key', message: `expected the private key of the certificate in ${tls.cert}, but ${tls.key} holds another key` });
  }
}

/** Adds an issue for each rsaKeys file that is not an RSA key in PEM, or a public key that is not the private key's other half. */
export function checkRsaKeyFiles(rsaKeys: RsaKeyFiles | undefined, issues: ConfigIssue[]): void {
  if (rsaKeys === undefined) return;
  const privateKey = parsePem(rsaKeys.privateKey, 'rsaKeys.privateKey', 'an RSA private key in PEM', (text) => rsa(createPrivateKey(text)), issues);
  const publicKey = parsePem(rsaKeys.publicKey, 'rsaKeys.publicKey', 'an RSA public key in PEM', (text) => rsa(createPublicKey(text)), issues);
  if (privateKey && publicKey && !sameKey(createPublicKey(privateKey), publicKey)) {
    issues.push({ path: 'rsaKeys.publicKey', message: `expected the public key of ${rsaKeys.privateKey}, but ${rsaKeys.publicKey} holds another key` });
  }
}

class WrongKeyType extends Error {}

function rsa(key: KeyObject): KeyObject {
  if (key.asymmetricKeyType !== 'rsa') throw new WrongKeyType(`it holds a key of type ${key.asymmetricKeyType ?? 'unknown'}`);
  return key;
}

function sameKey(a: KeyObject, b: KeyObject): boolean {
  return a.export({ type: 'spki', format: 'der' }).equals(b.export({ type: 'spki', format: 'der' }));
}

/** Files that cannot be read were reported already (resolveFiles); they are skipped here. */
function parsePem<T>(file: string, path: string, expected: string, parse: (text: string) => T, issues: ConfigIssue[]): T | undefined {
  if (issues.some((issue) => issue.path === path)) return undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    return parse(text);
  } catch (error) {
    const reason = error instanceof WrongKeyType ? error.message : 'not parsable';
    issues.push({ path, message: `expected ${expected}, cannot use ${file} (${reason})` });
    return undefined;
  }
}
