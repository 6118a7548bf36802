import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { loadConfig, parseConfig } from './load-config.ts';
import { TEST_CERT_KEY_PEM, TEST_CERT_PEM, catchConfigError, issuesOf, makeTempDir, minimalInput, testRsaKeyPair, writeFile } from './fixtures.ts';

const dir = makeTempDir();

const YAML_CONFIG = `
listen:
  port: 3307
users:
  - name: app
    password: app-password
    schemas: ["*"]
backends:
  - name: primary
    user: root
log:
  level: warn
`;

describe('loadConfig', () => {
  test('loads YAML', () => {
    const config = loadConfig(writeFile(dir, 'cathode.yaml', YAML_CONFIG), { env: {} });
    assert.equal(config.listen.port, 3307);
    assert.equal(config.users[0].name, 'app');
    assert.equal(config.backends[0].pool.max, 64);
    assert.equal(config.log.level, 'warn');
  });

  test('loads JSON to the same config as the equivalent YAML', () => {
    const json = JSON.stringify({ ...minimalInput(), listen: { port: 3307 }, log: { level: 'warn' } });
    const fromJson = loadConfig(writeFile(dir, 'cathode.json', json), { env: {} });
    const fromYaml = loadConfig(writeFile(dir, 'same.yaml', YAML_CONFIG), { env: {} });
    assert.deepEqual(fromJson, fromYaml);
  });

  test('parses .json files as JSON, not YAML', () => {
    const error = catchConfigError(() => loadConfig(writeFile(dir, 'yaml-inside.json', YAML_CONFIG), { env: {} }));
    assert.match(error.message, /JSON syntax error/);
  });

  test('parses files with other extensions as YAML', () => {
    const config = loadConfig(writeFile(dir, 'cathode.conf', YAML_CONFIG), { env: {} });
    assert.equal(config.listen.port, 3307);
  });

  test('a missing file is a ConfigError naming the file', () => {
    const file = join(dir, 'does-not-exist.yaml');
    const error = catchConfigError(() => loadConfig(file, { env: {} }));
    assert.equal(error.file, file);
    assert.ok(error.message.includes(file), error.message);
    assert.match(error.message, /no such file/);
  });

  test('a relative path names the resolved file', () => {
    const error = catchConfigError(() => loadConfig('no-such-cathode.yaml', { env: {} }));
    assert.ok(error.message.includes(resolve('no-such-cathode.yaml')), error.message);
  });

  test('a YAML syntax error names the file and line', () => {
    const file = writeFile(dir, 'broken.yaml', 'users:\n  - name: app\n   password: [unclosed\n');
    const error = catchConfigError(() => loadConfig(file, { env: {} }));
    assert.ok(error.message.startsWith(`invalid config ${file}:\n`), error.message);
    assert.match(error.message, /YAML syntax error at line \d+, column \d+/);
  });

  test('the reported YAML line is the one with the error', () => {
    const file = writeFile(dir, 'duplicate-key.yaml', 'log:\n  level: info\nlog:\n  level: debug\n');
    const [issue] = catchConfigError(() => loadConfig(file, { env: {} })).issues;
    assert.match(issue.message, /^YAML syntax error at line 3, column 1: /);
  });

  test('a JSON syntax error names the file and line', () => {
    const file = writeFile(dir, 'broken.json', '{\n  "users": [],\n}\n');
    const error = catchConfigError(() => loadConfig(file, { env: {} }));
    assert.ok(error.message.includes(file), error.message);
    assert.match(error.message, /JSON syntax error at line 3, column 1/);
  });

  test('a truncated JSON file names the last line', () => {
    const error = catchConfigError(() => loadConfig(writeFile(dir, 'truncated.json', '{\n  "users": [\n'), { env: {} }));
    assert.match(error.message, /JSON syntax error at line 2, column 13: unexpected end of input/);
  });

  test('an empty file says so', () => {
    const error = catchConfigError(() => loadConfig(writeFile(dir, 'empty.yaml', '# nothing yet\n'), { env: {} }));
    assert.match(error.message, /the file is empty/);
  });

  test('validation errors name the file', () => {
    const file = writeFile(dir, 'bad-port.yaml', `${YAML_CONFIG}\nreactors: 0\n`);
    const error = catchConfigError(() => loadConfig(file, { env: {} }));
    assert.equal(error.message, `invalid config ${file}:\n  - reactors: expected an integer between 1 and 256, got 0`);
  });
});

describe('CATHODE_LOG_LEVEL', () => {
  test('overrides log.level', () => {
    const config = parseConfig({ ...minimalInput(), log: { level: 'warn' } }, { env: { CATHODE_LOG_LEVEL: 'trace' } });
    assert.equal(config.log.level, 'trace');
  });

  test('overrides log.level when loading a file', () => {
    const file = writeFile(dir, 'env.yaml', YAML_CONFIG);
    assert.equal(loadConfig(file, { env: { CATHODE_LOG_LEVEL: 'debug' } }).log.level, 'debug');
  });

  test('an empty value is ignored', () => {
    assert.equal(parseConfig(minimalInput(), { env: { CATHODE_LOG_LEVEL: '' } }).log.level, 'info');
  });

  test('an unknown level is an error naming the variable', () => {
    assert.deepEqual(issuesOf(minimalInput(), { env: { CATHODE_LOG_LEVEL: 'loud' } }), [{
      path: 'CATHODE_LOG_LEVEL',
      message: 'expected one of "fatal", "error", "warn", "info", "debug", "trace", "silent", got "loud"',
    }]);
  });

  test('is reported together with errors in the file', () => {
    const issues = issuesOf({ ...minimalInput(), reactors: 0 }, { env: { CATHODE_LOG_LEVEL: 'loud' } });
    assert.deepEqual(issues.map((issue) => issue.path), ['reactors', 'CATHODE_LOG_LEVEL']);
  });
});

describe('tls and rsaKeys files', () => {
  const certDir = join(dir, 'certs');
  mkdirSync(certDir);
  const rsa = testRsaKeyPair();
  writeFile(certDir, 'cert.pem', TEST_CERT_PEM);
  writeFile(certDir, 'key.pem', TEST_CERT_KEY_PEM);
  writeFile(certDir, 'private.pem', rsa.privateKey);
  writeFile(certDir, 'public.pem', rsa.publicKey);

  test('relative paths are resolved against the config file directory', () => {
    const file = writeFile(dir, 'tls.yaml', `${YAML_CONFIG}
tls: { cert: certs/cert.pem, key: ${join(certDir, 'key.pem')} }
rsaKeys: { privateKey: certs/private.pem, publicKey: ./certs/public.pem }
`);
    const config = loadConfig(file, { env: {} });
    assert.deepEqual(config.tls, { cert: join(certDir, 'cert.pem'), key: join(certDir, 'key.pem') });
    assert.deepEqual(config.rsaKeys, { privateKey: join(certDir, 'private.pem'), publicKey: join(certDir, 'public.pem') });
  });

  test('parseConfig resolves against baseDir', () => {
    const config = parseConfig({ ...minimalInput(), tls: { cert: 'cert.pem', key: 'key.pem' } }, { baseDir: certDir, env: {} });
    assert.equal(config.tls?.cert, join(certDir, 'cert.pem'));
  });

  test('parseConfig resolves against the working directory by default', () => {
    const [issue] = issuesOf({ ...minimalInput(), tls: { cert: 'no-such-cert.pem', key: join(certDir, 'key.pem') } });
    assert.equal(issue.path, 'tls.cert');
    assert.ok(issue.message.includes(resolve('no-such-cert.pem')), issue.message);
  });

  test('a missing file is an error at its path', () => {
    const input = { ...minimalInput(), tls: { cert: 'missing-cert.pem', key: 'key.pem' } };
    assert.deepEqual(issuesOf(input, { baseDir: certDir }), [{
      path: 'tls.cert',
      message: `expected a readable file, cannot read ${join(certDir, 'missing-cert.pem')} (no such file or directory)`,
    }]);
  });

  test('a directory is not a readable file', () => {
    const input = { ...minimalInput(), rsaKeys: { privateKey: 'private.pem', publicKey: '.' } };
    const issues = issuesOf(input, { baseDir: certDir });
    assert.deepEqual(issues.map((issue) => issue.path), ['rsaKeys.publicKey']);
    assert.match(issues[0].message, /cannot read .*directory/);
  });

  test('every unreadable file is reported', () => {
    const input = { ...minimalInput(), tls: { cert: 'a.pem', key: 'b.pem' }, rsaKeys: { privateKey: 'c.pem', publicKey: 'public.pem' } };
    const paths = issuesOf(input, { baseDir: certDir }).map((issue) => issue.path);
    assert.deepEqual(paths, ['tls.cert', 'tls.key', 'rsaKeys.privateKey']);
  });
});

// Regression: --check-config called a truncated or swapped PEM valid, and every reactor then
// crashed at start-up, was replaced and crashed again.
describe('tls and rsaKeys files must parse', () => {
  const pemDir = join(dir, 'pem');
  mkdirSync(pemDir);
  const rsa = testRsaKeyPair();
  const other = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  writeFile(pemDir, 'cert.pem', TEST_CERT_PEM);
  writeFile(pemDir, 'key.pem', TEST_CERT_KEY_PEM);
  writeFile(pemDir, 'truncated.pem', TEST_CERT_PEM.slice(0, 200));
  writeFile(pemDir, 'garbage.pem', 'not a pem file\n');
  writeFile(pemDir, 'rsa-private.pem', rsa.privateKey);
  writeFile(pemDir, 'rsa-public.pem', rsa.publicKey);
  writeFile(pemDir, 'other-public.pem', other.publicKey);
  const issues = (extra: Record<string, unknown>) => issuesOf({ ...minimalInput(), ...extra }, { baseDir: pemDir });

  test('a certificate and key that parse and match are accepted', () => {
    const config = parseConfig({ ...minimalInput(), tls: { cert: 'cert.pem', key: 'key.pem' }, rsaKeys: { privateKey: 'rsa-private.pem', publicKey: 'rsa-public.pem' } }, { baseDir: pemDir, env: {} });
    assert.equal(config.tls?.cert, join(pemDir, 'cert.pem'));
  });

  test('a truncated certificate and an unparsable key are each named by path and file', () => {
    assert.deepEqual(issues({ tls: { cert: 'truncated.pem', key: 'garbage.pem' } }), [
      { path: 'tls.cert', message: `expected a PEM certificate, cannot use ${join(pemDir, 'truncated.pem')} (not parsable)` },
      { path: 'tls.key', message: `expected a PEM private key, cannot use ${join(pemDir, 'garbage.pem')} (not parsable)` },
    ]);
  });

  test('a key that is not the certificate\'s is refused', () => {
    const [issue] = issues({ tls: { cert: 'cert.pem', key: 'rsa-private.pem' } });
    assert.equal(issue.path, 'tls.key');
    assert.match(issue.message, /expected the private key of the certificate/);
  });

  test('rsaKeys must be RSA keys of one pair', () => {
    assert.deepEqual(issues({ rsaKeys: { privateKey: 'key.pem', publicKey: 'garbage.pem' } }), [
      { path: 'rsaKeys.privateKey', message: `expected an RSA private key in PEM, cannot use ${join(pemDir, 'key.pem')} (it holds a key of type ec)` },
      { path: 'rsaKeys.publicKey', message: `expected an RSA public key in PEM, cannot use ${join(pemDir, 'garbage.pem')} (not parsable)` },
    ]);
    const [mismatch] = issues({ rsaKeys: { privateKey: 'rsa-private.pem', publicKey: 'other-public.pem' } });
    assert.equal(mismatch.path, 'rsaKeys.publicKey');
    assert.match(mismatch.message, /expected the public key of .*rsa-private\.pem/);
  });

  test('PEM text given where a path belongs is refused without being echoed', () => {
    const result = issues({ tls: { cert: 'cert.pem', key: TEST_CERT_KEY_PEM } });
    assert.deepEqual(result.map((issue) => issue.path), ['tls.key']);
    assert.ok(!JSON.stringify(result).includes('MIGHAgEA'), JSON.stringify(result));
  });
});
