import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { describe, test } from 'node:test';
import { MAX_TIMER_MS } from './fields.ts';
import { parseConfig } from './load-config.ts';
import { issuesOf, minimalInput } from './fixtures.ts';
import type { RawConfig } from './fixtures.ts';

describe('defaults', () => {
  test('a config with only users and backends is completed with every default', () => {
    assert.deepEqual(parseConfig(minimalInput(), { env: {} }), {
      listen: { host: '127.0.0.1', port: 8066, backlog: 511 },
      reactors: Math.min(256, availableParallelism()),
      executor: { threads: 1, offloadBytes: 262144, timeoutMs: 30000, idleTimeoutMs: 60000 },
      maxAllowedPacket: 67108864,
      serverVersionSuffix: '-Cathode',
      instanceId: 0,
      users: [{ name: 'app', password: 'app-password', plugin: 'mysql_native_password', schemas: ['*'], admin: false }],
      backends: [{
        name: 'primary', host: '127.0.0.1', port: 3306, user: 'root', password: '',
        pool: { min: 1, max: 64 },
      }],
      schemas: [],
      accounts: { fromBackend: false, reloadMinIntervalMs: 10000 },
      timeouts: { connectMs: 5000, poolWaitMs: 60000, authMs: 10000, clientIdleMs: 28800000, backendIdleMs: 600000, shutdownGraceMs: 10000 },
      reconnect: { initialDelayMs: 100, maxDelayMs: 5000 },
      heartbeat: { sql: 'SELECT 1', periodMs: 5000, timeoutMs: 2000, retries: 2 },
      security: { maxConnectErrors: 100 },
      log: { level: 'info' },
    });
  });

  test('a partly given section keeps its other defaults', () => {
    const config = parseConfig({ ...minimalInput(), listen: { port: 3307 }, heartbeat: { retries: 0 } }, { env: {} });
    assert.deepEqual(config.listen, { host: '127.0.0.1', port: 3307, backlog: 511 });
    assert.deepEqual(config.heartbeat, { sql: 'SELECT 1', periodMs: 5000, timeoutMs: 2000, retries: 0 });
  });

  test('optional sections stay absent', () => {
    const config = parseConfig(minimalInput(), { env: {} });
    assert.equal('tls' in config, false);
    assert.equal('rsaKeys' in config, false);
  });

  test('a user may give a passwordHash instead of a password, in either case', () => {
    const input = minimalInput();
    input.users[0] = { name: 'app', passwordHash: `*${'aB'.repeat(20)}`, plugin: 'caching_sha2_password', schemas: ['demo'] };
    assert.deepEqual(parseConfig(input, { env: {} }).users[0], { ...input.users[0], admin: false });
  });

  test('a user may name the backend account it runs as; its password defaults to empty', () => {
    const input = minimalInput();
    input.users[0].backendAccount = { user: 'app_rw', password: 'pw' };
    input.users.push({ name: 'reader', password: 'r', schemas: ['demo'], backendAccount: { user: 'app_ro' } });
    const [app, reader] = parseConfig(input, { env: {} }).users;
    assert.deepEqual(app.backendAccount, { user: 'app_rw', password: 'pw' });
    assert.deepEqual(reader.backendAccount, { user: 'app_ro', password: '' });
  });

  test('server accounts are off unless asked for', () => {
    const config = parseConfig({ ...minimalInput(), accounts: { fromBackend: true } }, { env: {} });
    assert.deepEqual(config.accounts, { fromBackend: true, reloadMinIntervalMs: 10000 });
  });

  test('schema routes may point at a configured backend', () => {
    const config = parseConfig({ ...minimalInput(), schemas: [{ name: 'demo', backend: 'primary' }] }, { env: {} });
    assert.deepEqual(config.schemas, [{ name: 'demo', backend: 'primary' }]);
  });
});

// Each case breaks one rule of a minimal config; exactly one issue must be
// reported, at `path`.
const invalidCases: { rule: string; path: string; change: (input: RawConfig) => void }[] = [
  { rule: 'listen is an object', path: 'listen', change: (c) => { c.listen = 8066; } },
  { rule: 'listen.host is non-empty', path: 'listen.host', change: (c) => { c.listen = { host: '' }; } },
  { rule: 'listen.port is an integer', path: 'listen.port', change: (c) => { c.listen = { port: 'abc' }; } },
  { rule: 'listen.port is not fractional', path: 'listen.port', change: (c) => { c.listen = { port: 80.5 }; } },
  { rule: 'listen.port >= 0', path: 'listen.port', change: (c) => { c.listen = { port: -1 }; } },
  { rule: 'listen.port <= 65535', path: 'listen.port', change: (c) => { c.listen = { port: 65536 }; } },
  { rule: 'listen.backlog > 0', path: 'listen.backlog', change: (c) => { c.listen = { backlog: 0 }; } },
  { rule: 'reactors >= 1', path: 'reactors', change: (c) => { c.reactors = 0; } },
  { rule: 'reactors <= 256', path: 'reactors', change: (c) => { c.reactors = 257; } },
  { rule: 'executor.threads >= 1', path: 'executor.threads', change: (c) => { c.executor = { threads: 0 }; } },
  { rule: 'executor.threads <= 64', path: 'executor.threads', change: (c) => { c.executor = { threads: 65 }; } },
  { rule: 'maxAllowedPacket >= 1024', path: 'maxAllowedPacket', change: (c) => { c.maxAllowedPacket = 1023; } },
  { rule: 'maxAllowedPacket <= 1 GiB', path: 'maxAllowedPacket', change: (c) => { c.maxAllowedPacket = 1073741825; } },
  { rule: 'instanceId >= 0', path: 'instanceId', change: (c) => { c.instanceId = -1; } },
  { rule: 'instanceId <= 255 (the high 8 bits of a 32-bit connection id)', path: 'instanceId', change: (c) => { c.instanceId = 256; } },
  { rule: 'instanceId is an integer', path: 'instanceId', change: (c) => { c.instanceId = 1.5; } },
  { rule: 'serverVersionSuffix is a string', path: 'serverVersionSuffix', change: (c) => { c.serverVersionSuffix = 8; } },
  { rule: 'users is required', path: 'users', change: (c) => { delete c.users; } },
  { rule: 'users is non-empty', path: 'users', change: (c) => { c.users = []; } },
  { rule: 'users entries are objects', path: 'users.0', change: (c) => { c.users = ['app']; } },
  { rule: 'user name is non-empty', path: 'users.0.name', change: (c) => { c.users[0].name = ''; } },
  { rule: 'user name is at most 80 characters', path: 'users.0.name', change: (c) => { c.users[0].name = 'u'.repeat(81); } },
  { rule: 'user name is required', path: 'users.0.name', change: (c) => { delete c.users[0].name; } },
  { rule: 'passwordHash is "*" + 40 hex digits', path: 'users.0.passwordHash', change: (c) => {
    c.users[0] = { name: 'app', passwordHash: `*${'g'.repeat(40)}`, schemas: ['*'] };
  } },
  { rule: 'passwordHash has exactly 40 hex digits', path: 'users.0.passwordHash', change: (c) => {
    c.users[0] = { name: 'app', passwordHash: `*${'a'.repeat(41)}`, schemas: ['*'] };
  } },
  { rule: 'a user has a password or a passwordHash', path: 'users.0.password', change: (c) => { delete c.users[0].password; } },
  { rule: 'a user has not both password and passwordHash', path: 'users.0.password', change: (c) => {
    c.users[0].passwordHash = `*${'0'.repeat(40)}`;
  } },
  { rule: 'plugin is a known auth plugin', path: 'users.0.plugin', change: (c) => { c.users[0].plugin = 'sha256_password'; } },
  { rule: 'user schemas is non-empty', path: 'users.0.schemas', change: (c) => { c.users[0].schemas = []; } },
  { rule: 'user schemas is required', path: 'users.0.schemas', change: (c) => { delete c.users[0].schemas; } },
  { rule: 'user schemas are strings', path: 'users.0.schemas.1', change: (c) => { c.users[0].schemas = ['a', 1]; } },
  { rule: 'backendAccount is an object', path: 'users.0.backendAccount', change: (c) => { c.users[0].backendAccount = 'app_rw'; } },
  { rule: 'backendAccount.user is required', path: 'users.0.backendAccount.user', change: (c) => { c.users[0].backendAccount = { password: 'x' }; } },
  { rule: 'backendAccount.user is non-empty', path: 'users.0.backendAccount.user', change: (c) => { c.users[0].backendAccount = { user: '' }; } },
  { rule: 'backendAccount.password is a string', path: 'users.0.backendAccount.password', change: (c) => {
    c.users[0].backendAccount = { user: 'app_rw', password: 12345 };
  } },
  { rule: 'backendAccount has no unknown keys', path: 'users.0.backendAccount.pasword', change: (c) => {
    c.users[0].backendAccount = { user: 'app_rw', pasword: 'x' };
  } },
  { rule: 'accounts.fromBackend is a flag', path: 'accounts.fromBackend', change: (c) => { c.accounts = { fromBackend: 'yes' }; } },
  { rule: 'accounts.reloadMinIntervalMs > 0', path: 'accounts.reloadMinIntervalMs', change: (c) => { c.accounts = { reloadMinIntervalMs: 0 }; } },
  { rule: 'user names are unique', path: 'users.1.name', change: (c) => { c.users.push({ ...c.users[0] }); } },
  { rule: 'backends is required', path: 'backends', change: (c) => { delete c.backends; } },
  { rule: 'backends is non-empty', path: 'backends', change: (c) => { c.backends = []; } },
  { rule: 'backend name is non-empty', path: 'backends.0.name', change: (c) => { c.backends[0].name = ''; } },
  { rule: 'backend host is non-empty', path: 'backends.0.host', change: (c) => { c.backends[0].host = ''; } },
  { rule: 'backend port >= 1', path: 'backends.0.port', change: (c) => { c.backends[0].port = 0; } },
  { rule: 'backend port <= 65535', path: 'backends.0.port', change: (c) => { c.backends[0].port = 65536; } },
  { rule: 'backend user is required', path: 'backends.0.user', change: (c) => { delete c.backends[0].user; } },
  { rule: 'backend password is a string', path: 'backends.0.password', change: (c) => { c.backends[0].password = null; } },
  { rule: 'pool.min >= 0', path: 'backends.0.pool.min', change: (c) => { c.backends[0].pool = { min: -1 }; } },
  { rule: 'pool.max >= 1', path: 'backends.0.pool.max', change: (c) => { c.backends[0].pool = { min: 0, max: 0 }; } },
  { rule: 'pool.min <= pool.max', path: 'backends.0.pool.min', change: (c) => { c.backends[0].pool = { min: 5, max: 4 }; } },
  { rule: 'pool.min <= the default pool.max', path: 'backends.0.pool.min', change: (c) => { c.backends[0].pool = { min: 65 }; } },
  { rule: 'backend names are unique', path: 'backends.1.name', change: (c) => {
    c.backends.push({ name: 'primary', user: 'other' });
  } },
  { rule: 'schema route name is non-empty', path: 'schemas.0.name', change: (c) => { c.schemas = [{ name: '', backend: 'primary' }]; } },
  { rule: 'schema route backend is required', path: 'schemas.0.backend', change: (c) => { c.schemas = [{ name: 'demo' }]; } },
  { rule: 'schema route backend names a backend', path: 'schemas.1.backend', change: (c) => {
    c.schemas = [{ name: 'a', backend: 'primary' }, { name: 'b', backend: 'replica' }];
  } },
  { rule: 'schema route names are unique', path: 'schemas.1.name', change: (c) => {
    c.schemas = [{ name: 'demo', backend: 'primary' }, { name: 'demo', backend: 'primary' }];
  } },
  ...['connectMs', 'poolWaitMs', 'authMs', 'clientIdleMs', 'backendIdleMs', 'shutdownGraceMs'].map((key) => ({
    rule: `timeouts.${key} > 0`, path: `timeouts.${key}`, change: (c: RawConfig) => { c.timeouts = { [key]: 0 }; },
  })),
  { rule: 'timeouts fit in a timer', path: 'timeouts.clientIdleMs', change: (c) => {
    c.timeouts = { clientIdleMs: MAX_TIMER_MS + 1 };
  } },
  { rule: 'reconnect.initialDelayMs > 0', path: 'reconnect.initialDelayMs', change: (c) => { c.reconnect = { initialDelayMs: 0 }; } },
  { rule: 'reconnect.maxDelayMs > 0', path: 'reconnect.maxDelayMs', change: (c) => { c.reconnect = { maxDelayMs: -5 }; } },
  { rule: 'heartbeat.sql is non-empty', path: 'heartbeat.sql', change: (c) => { c.heartbeat = { sql: '' }; } },
  { rule: 'heartbeat.periodMs > 0', path: 'heartbeat.periodMs', change: (c) => { c.heartbeat = { periodMs: 0 }; } },
  { rule: 'heartbeat.timeoutMs > 0', path: 'heartbeat.timeoutMs', change: (c) => { c.heartbeat = { timeoutMs: 0 }; } },
  { rule: 'heartbeat.retries >= 0', path: 'heartbeat.retries', change: (c) => { c.heartbeat = { retries: -1 }; } },
  { rule: 'security.maxConnectErrors >= 0', path: 'security.maxConnectErrors', change: (c) => { c.security = { maxConnectErrors: -1 }; } },
  { rule: 'tls.cert is required', path: 'tls.cert', change: (c) => { c.tls = { key: 'key.pem' }; } },
  { rule: 'tls.key is a string', path: 'tls.key', change: (c) => { c.tls = { cert: 'cert.pem', key: true }; } },
  { rule: 'rsaKeys.publicKey is required', path: 'rsaKeys.publicKey', change: (c) => { c.rsaKeys = { privateKey: 'private.pem' }; } },
  { rule: 'log.level is a known level', path: 'log.level', change: (c) => { c.log = { level: 'verbose' }; } },
];

describe('validation', () => {
  for (const { rule, path, change } of invalidCases) {
    test(`${rule} (reported at "${path}")`, () => {
      const input = minimalInput();
      change(input);
      assert.deepEqual(issuesOf(input).map((issue) => issue.path), [path]);
    });
  }

  test('a config that is not an object is rejected as a whole', () => {
    for (const input of [null, [], 'users: []', undefined]) {
      assert.deepEqual(issuesOf(input).map((issue) => issue.path), ['']);
    }
  });

  test('type errors state what was expected and what was received', () => {
    const input = minimalInput();
    input.backends[0].port = 'abc';
    assert.deepEqual(issuesOf(input), [
      { path: 'backends.0.port', message: 'expected an integer between 1 and 65535, got "abc"' },
    ]);
  });

  test('range errors state the whole range, whichever end was missed', () => {
    for (const reactors of [0, 300, 2.5]) {
      assert.deepEqual(issuesOf({ ...minimalInput(), reactors }), [
        { path: 'reactors', message: `expected an integer between 1 and 256, got ${reactors}` },
      ]);
    }
  });

  test('a wrong backendAccount.password is named by its type, never its value', () => {
    const input = minimalInput();
    input.users[0].backendAccount = { user: 'app_rw', password: 98765 };
    const issues = issuesOf(input);
    assert.deepEqual(issues.map((issue) => issue.path), ['users.0.backendAccount.password']);
    assert.doesNotMatch(issues[0].message, /98765/);
  });

  test('missing fields say so', () => {
    const input = minimalInput();
    delete input.backends[0].user;
    assert.deepEqual(issuesOf(input), [{ path: 'backends.0.user', message: 'expected a string, but it is missing' }]);
  });

  test('enum errors list the allowed values', () => {
    const [issue] = issuesOf({ ...minimalInput(), log: { level: 'verbose' } });
    assert.equal(issue.message, 'expected one of "fatal", "error", "warn", "info", "debug", "trace", "silent", got "verbose"');
  });

  test('cross-field errors explain the rule', () => {
    const input = minimalInput();
    input.users.push({ ...input.users[0] });
    input.backends[0].pool = { min: 8, max: 4 };
    assert.deepEqual(issuesOf(input), [
      { path: 'users.1.name', message: 'expected a unique name, but "app" is already used by users.0' },
      { path: 'backends.0.pool.min', message: 'expected at most pool.max (4), got 8' },
    ]);
  });

  test('every problem is reported at once', () => {
    const input = minimalInput();
    input.listen = { port: -1 };
    input.users[0].name = '';
    input.backends[0].port = 'x';
    assert.deepEqual(issuesOf(input).map((issue) => issue.path), ['listen.port', 'users.0.name', 'backends.0.port']);
  });
});

describe('unknown keys', () => {
  test('each unknown key is reported at its own path', () => {
    const input = minimalInput();
    input.listen = { hots: '0.0.0.0' };
    input.users[0].pasword = 'x';
    input.users[0].role = 'admin';
    input.backends[0].pool = { maxx: 3 };
    input.logging = {};
    assert.deepEqual(issuesOf(input), [
      { path: 'listen.hots', message: 'unknown field' },
      { path: 'users.0.pasword', message: 'unknown field' },
      { path: 'users.0.role', message: 'unknown field' },
      { path: 'backends.0.pool.maxx', message: 'unknown field' },
      { path: 'logging', message: 'unknown field' },
    ]);
  });

  test('unknown keys are rejected inside optional sections too', () => {
    const input = { ...minimalInput(), tls: { cert: 'c.pem', key: 'k.pem', ca: 'ca.pem' } };
    assert.deepEqual(issuesOf(input), [{ path: 'tls.ca', message: 'unknown field' }]);
  });
});
