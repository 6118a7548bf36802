import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError } from './config-error.ts';
import { loadConfig, parseConfig } from './load-config.ts';
import { SCRUBBED, scrubSecretValues } from './secret-values.ts';
import { catchConfigError, issuesOf, makeTempDir, minimalInput, writeFile } from './fixtures.ts';

describe('ConfigError', () => {
  test('lists every issue under a header naming the file', () => {
    const error = new ConfigError('/etc/cathode.yaml', [
      { path: 'backends.0.port', message: 'expected an integer between 1 and 65535, got "abc"' },
      { path: 'users', message: 'expected a non-empty list of users, got an empty list' },
    ]);
    assert.equal(error.message, [
      'invalid config /etc/cathode.yaml:',
      '  - backends.0.port: expected an integer between 1 and 65535, got "abc"',
      '  - users: expected a non-empty list of users, got an empty list',
    ].join('\n'));
    assert.equal(error.name, 'ConfigError');
    assert.equal(error.file, '/etc/cathode.yaml');
    assert.ok(error instanceof Error);
  });

  test('omits the file when there is none, and the path when it is empty', () => {
    const error = new ConfigError(undefined, [{ path: '', message: 'the file is empty' }]);
    assert.equal(error.message, 'invalid config:\n  - the file is empty');
  });
});

describe('errors never reveal secrets', () => {
  const dir = makeTempDir();
  const SECRET = 'hunter2-s3cret';

  function assertNoSecret(error: ConfigError, secret: string) {
    assert.ok(!error.message.includes(secret), error.message);
    assert.ok(!JSON.stringify(error.issues).includes(secret), JSON.stringify(error.issues));
  }

  test('a non-string password names only its type', () => {
    const input = minimalInput();
    input.users[0].password = 918273645;
    input.backends[0].password = 564738291;
    const issues = issuesOf(input);
    assert.deepEqual(issues.map((issue) => issue.path), ['users.0.password', 'backends.0.password']);
    assert.match(issues[0].message, /^expected a string.*, got a number$/);
    for (const secret of ['918273645', '564738291']) assert.ok(!JSON.stringify(issues).includes(secret));
  });

  test('a password of the wrong kind of container is not echoed', () => {
    const input = minimalInput();
    input.users[0].password = [SECRET];
    const error = catchConfigError(() => loadConfig(writeFile(dir, 'list-password.json', JSON.stringify(input)), { env: {} }));
    assertNoSecret(error, SECRET);
  });

  test('a malformed passwordHash is not echoed', () => {
    const input = minimalInput();
    const hash = `*${SECRET}${'0'.repeat(26)}`;
    input.users[0] = { name: 'app', passwordHash: hash, schemas: ['*'] };
    const error = catchConfigError(() => loadConfig(writeFile(dir, 'bad-hash.json', JSON.stringify(input)), { env: {} }));
    assert.deepEqual(error.issues.map((issue) => issue.path), ['users.0.passwordHash']);
    assertNoSecret(error, SECRET);
  });

  test('password rule violations do not echo either value', () => {
    const input = minimalInput();
    input.users[0].password = SECRET;
    input.users[0].passwordHash = `*${'A'.repeat(40)}`;
    const error = catchConfigError(() => loadConfig(writeFile(dir, 'both.json', JSON.stringify(input)), { env: {} }));
    assertNoSecret(error, SECRET);
    assertNoSecret(error, 'A'.repeat(40));
  });

  test('a YAML syntax error on a password line does not quote the line', () => {
    const file = writeFile(dir, 'bad-quote.yaml', `users:\n  - name: app\n    password: "${SECRET}\nbackends: []\n`);
    assertNoSecret(catchConfigError(() => loadConfig(file, { env: {} })), SECRET);
  });

  test('a YAML indentation error near a password does not quote it', () => {
    const file = writeFile(dir, 'bad-indent.yaml', `users:\n  - name: app\n    password: ${SECRET}\n   schemas: [x]\n`);
    assertNoSecret(catchConfigError(() => loadConfig(file, { env: {} })), SECRET);
  });

  test('a JSON syntax error on a password does not quote it', () => {
    // V8's own message for this quotes about ten characters around the bad token.
    const file = writeFile(dir, 'unquoted.json', '{"users": [{"name": "app", "password": hunter2}]}');
    const error = catchConfigError(() => loadConfig(file, { env: {} }));
    assert.match(error.message, /JSON syntax error/);
    assertNoSecret(error, 'hunter2');
  });
});

// Regression (issue 7, hole 14): no path that prints a value may print a secret's.
describe('secret values are scrubbed from every message', () => {
  const SECRET = 'hunter2-s3cret';

  test('a wrong-typed password and a too-long passwordHash are named by type and shape only', () => {
    const input = minimalInput();
    input.users[0] = { name: 'app', passwordHash: `*${'A'.repeat(40)}${SECRET}`, schemas: ['*'] };
    input.backends[0].password = { value: SECRET };
    const error = catchConfigError(() => parseConfig(input, { env: {} }));
    assert.deepEqual(error.issues.map((issue) => issue.path), ['users.0.passwordHash', 'backends.0.password']);
    assert.match(error.issues[1].message, /got an object$/);
    assert.ok(!error.message.includes(SECRET) && !error.message.includes('A'.repeat(40)), error.message);
  });

  test('a key field with a wrong value is named by type', () => {
    const input = { ...minimalInput(), rsaKeys: { privateKey: 90817263, publicKey: 'public.pem' } };
    const [issue] = issuesOf(input);
    assert.deepEqual(issue, { path: 'rsaKeys.privateKey', message: 'expected a non-empty string, got a number' });
  });

  test('a message that quotes a secret value, whatever produced it, is scrubbed', () => {
    const input = { backends: [{ name: 'primary', apiToken: SECRET, nested: { clientSecret: 'abcd"efgh' } }] };
    const scrubbed = scrubSecretValues(
      [
        { path: 'backends.0.apiToken', message: `expected something else, got ${JSON.stringify(SECRET)}` },
        { path: 'backends.0', message: `refers to ${SECRET} and "abcd\\"efgh"` },
        { path: 'backends.0.name', message: 'expected a unique name, got "primary"' },
      ],
      input,
    );
    assert.deepEqual(scrubbed.map((issue) => issue.message), [
      'expected something else, got a string',
      `refers to ${SCRUBBED} and "${SCRUBBED}"`,
      'expected a unique name, got "primary"',
    ]);
  });
});
