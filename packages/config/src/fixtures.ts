// Shared helpers for this package's tests.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { ConfigError } from './config-error.ts';
import type { ConfigIssue } from './config-error.ts';
import { parseConfig } from './load-config.ts';
import type { ParseConfigOptions } from './load-config.ts';

// Loose on purpose: tests build invalid configs.
export type RawConfig = Record<string, any>;

/** The smallest complete config: one user and one backend. */
export function minimalInput(): RawConfig {
  return {
    users: [{ name: 'app', password: 'app-password', schemas: ['*'] }],
    backends: [{ name: 'primary', user: 'root' }],
  };
}

/** Runs `fn`, which must throw a ConfigError, and returns that error. */
export function catchConfigError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  assert.fail('expected a ConfigError');
}

/** The issues parseConfig reports; an empty env keeps the caller's CATHODE_LOG_LEVEL out. */
export function issuesOf(input: unknown, options: ParseConfigOptions = {}): ConfigIssue[] {
  return catchConfigError(() => parseConfig(input, { env: {}, ...options })).issues;
}

/** A fresh directory under os.tmpdir(), removed when the test file finishes. */
export function makeTempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cathode-config-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function writeFile(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** A self-signed EC certificate and its key, valid until 2126: parsable PEM for tls fixtures. */
export const TEST_CERT_PEM = `-----BEGIN CERTIFICATE-----
MIIBkjCCATmgAwIBAgIUEfZaPv2LNDWosSS16N6GM/ZVTCMwCgYIKoZIzj0EAwIw
HjEcMBoGA1UEAwwTY2F0aG9kZS1jb25maWctdGVzdDAgFw0yNjEyMDEyMzQ2MjJa
GA8yMTI2MTEwNzIzNDYyMlowHjEcMBoGA1UEAwwTY2F0aG9kZS1jb25maWctdGVz
dDBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABMTZndPw0HTCti+A42tmiLNrmiA/
5+geTKJrfVsqvHBJynasRFLff50Gyki3fjOJg4JyxS8PZn51XccuKQZzzaKjUzBR
MB0GA1UdDgQWBBSvfqcH7xLFOHx0sQW5wWuEOCnukTAfBgNVHSMEGDAWgBSvfqcH
7xLFOHx0sQW5wWuEOCnukTAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0cA
MEQCIC9IA26M3EL7GmG72spojgUQtj6uXSJthMyfGX6qGTM0AiB9bLGhK3MxN+k4
PO2mBL4vHB8GbXeB8FbQa5koe5eTVw==
-----END CERTIFICATE-----
`;

export const TEST_CERT_KEY_PEM = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgr3Zac3lyRJT1c4Jt
DIUYDdOO3DZ+a9KpGYTcxL1/tkWhRANCAATE2Z3T8NB0wrYvgONrZoiza5ogP+fo
Hkyia31bKrxwScp2rERS33+dBspIt34ziYOCcsUvD2Z+dV3HLikGc82i
-----END PRIVATE KEY-----
`;

let rsaPair: { privateKey: string; publicKey: string } | undefined;

/** An RSA key pair in PEM (generated once per test file). */
export function testRsaKeyPair(): { privateKey: string; publicKey: string } {
  rsaPair ??= generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  return rsaPair;
}
