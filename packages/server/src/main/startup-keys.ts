import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import type { CathodeConfig } from '@cathode/config';
import { StartupError } from './startup-error.ts';

export interface StartupKeys {
  /** caching_sha2_password's key pair: PKCS#8 private, SPKI public (the form Connector/C reads). */
  rsaKeys: { privateKey: string; publicKey: string };
  /** The tls files' text, for the reactors' secure contexts. */
  tls: { cert: string; key: string } | undefined;
}

/**
 * Reads and checks every key file once, in the main thread, before anything starts: a bad PEM
 * must end start-up with its path named, not crash every reactor as it loads.
 */
export function loadStartupKeys(config: CathodeConfig): StartupKeys {
  let tlsFiles: StartupKeys['tls'];
  if (config.tls) {
    tlsFiles = { cert: readPem(config.tls.cert), key: readPem(config.tls.key) };
    try {
      tls.createSecureContext(tlsFiles);
    } catch (error) {
      throw new StartupError(`cannot use tls.cert ${config.tls.cert} with tls.key ${config.tls.key}: ${(error as Error).message}`, { cause: error });
    }
  }
  if (!config.rsaKeys) {
    const generated = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
    return { rsaKeys: generated, tls: tlsFiles };
  }
  const { privateKey: privatePath, publicKey: publicPath } = config.rsaKeys;
  const privateKey = parseKey(privatePath, 'rsaKeys.privateKey', (text) => createPrivateKey(text));
  const publicKey = parseKey(publicPath, 'rsaKeys.publicKey', (text) => createPublicKey(text));
  return {
    rsaKeys: {
      privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
      publicKey: publicKey.export({ type: 'spki', format: 'pem' }) as string,
    },
    tls: tlsFiles,
  };
}

function readPem(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new StartupError(`cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
}

function parseKey<T>(path: string, field: string, parse: (text: string) => T): T {
  const text = readPem(path);
  try {
    return parse(text);
  } catch (error) {
    throw new StartupError(`${field} ${path} is not a usable PEM key`, { cause: error });
  }
}
