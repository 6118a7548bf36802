// The shape of Cathode's config file. Every object is strict (unknown keys
// are errors, so a typo cannot silently fall back to a default), and every
// section has defaults, so `users` + `backends` alone is a complete config.
import { availableParallelism } from 'node:os';
import * as z from 'zod';
import {
  anyString, checkUniqueNames, flag, durationMs, expecting, intAtLeast, intBetween, listOf,
  nonEmptyString, oneOf, secretString, section,
} from './fields.ts';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const AUTH_PLUGINS = ['mysql_native_password', 'caching_sha2_password'] as const;

const MAX_REACTORS = 256;
// The hash format stored in mysql.user for mysql_native_password.
const NATIVE_PASSWORD_HASH = /^\*[0-9A-Fa-f]{40}$/;

export const logLevelSchema = oneOf(LOG_LEVELS);

const listenSchema = section({
  // Non-empty: net.Server treats an empty host as "all interfaces".
  host: nonEmptyString().default('127.0.0.1'),
  // 0 lets the OS pick a free port (useful in tests).
  port: intBetween(0, 65535).default(8066),
  backlog: intAtLeast(1).default(511),
});

const backendAccountSchema = section({
  user: nonEmptyString(80),
  password: secretString().default(''),
});

const userSchema = section({
  name: nonEmptyString(80),
  password: secretString().optional(),
  passwordHash: secretString('"*" followed by 40 hex digits (a mysql_native_password hash as stored in mysql.user)')
    .regex(NATIVE_PASSWORD_HASH)
    .optional(),
  plugin: oneOf(AUTH_PLUGINS).default('mysql_native_password'),
  // "*" grants every schema.
  schemas: listOf(anyString(), 'schema names', { nonEmpty: true }),
  // Administrative statements (SET GLOBAL, GRANT, SHUTDOWN, KILL USER, INTO OUTFILE, ...) are refused to everyone else.
  admin: flag().default(false),
  // The backend account this user's statements run as, so the server's own grants apply too;
  // without it, the backend's user/password.
  backendAccount: backendAccountSchema.optional(),
}).superRefine((user, ctx) => {
  const given = [user.password, user.passwordHash].filter((secret) => secret !== undefined).length;
  if (given === 1) return;
  ctx.addIssue({
    code: 'custom',
    path: ['password'],
    message: `expected exactly one of password or passwordHash, got ${given === 0 ? 'neither' : 'both'}`,
  });
});

const poolSchema = section({
  // Both limits apply per reactor thread.
  min: intAtLeast(0).default(1),
  max: intAtLeast(1).default(64),
}).superRefine((pool, ctx) => {
  if (pool.min <= pool.max) return;
  ctx.addIssue({
    code: 'custom',
    path: ['min'],
    message: `expected at most pool.max (${pool.max}), got ${pool.min}`,
  });
});

const backendSchema = section({
  name: nonEmptyString(),
  host: nonEmptyString().default('127.0.0.1'),
  port: intBetween(1, 65535).default(3306),
  user: anyString(),
  password: secretString().default(''),
  pool: poolSchema.prefault({}),
  // caching_sha2_password full authentication without TLS encrypts the password with this key
  // (a PEM file, relative to the config file); a key sent by the network is never trusted.
  serverPublicKey: nonEmptyString().optional(),
});

// Maps a logical schema name to the backend that serves it.
const schemaRouteSchema = section({
  name: nonEmptyString(),
  backend: anyString(),
});

const timeoutsSchema = section({
  connectMs: durationMs().default(5_000),
  // How long a statement may queue for a pooled connection when the pool is at its max; longer
  // than InnoDB's default lock wait (50 s), so a pool held up by lock waits does not fail newcomers first.
  poolWaitMs: durationMs().default(60_000),
  authMs: durationMs().default(10_000),
  clientIdleMs: durationMs().default(28_800_000),
  backendIdleMs: durationMs().default(600_000),
  shutdownGraceMs: durationMs().default(10_000),
});

const reconnectSchema = section({
  initialDelayMs: durationMs().default(100),
  maxDelayMs: durationMs().default(5_000),
});

const heartbeatSchema = section({
  // Non-empty: an empty query would fail every heartbeat and evict backends.
  sql: nonEmptyString().default('SELECT 1'),
  periodMs: durationMs().default(5_000),
  timeoutMs: durationMs().default(2_000),
  retries: intAtLeast(0).default(2),
});

// Enables CLIENT_SSL on the frontend. Paths are relative to the config file.
const tlsSchema = section({
  cert: nonEmptyString(),
  key: nonEmptyString(),
});

// Lets caching_sha2_password finish full authentication without TLS.
const rsaKeysSchema = section({
  privateKey: nonEmptyString(),
  publicKey: nonEmptyString(),
});

// MaxScale's model: clients may also log in as the backend's own accounts (mysql_native_password
// ones), verified against the stored hash and connected to the backend as themselves.
const accountsSchema = section({
  fromBackend: flag().default(false),
  // An unknown user triggers a reload of the accounts, at most this often (per reactor).
  reloadMinIntervalMs: durationMs().default(10_000),
});

// Failed logins per client host before it is refused with 1129, like MariaDB's
// max_connect_errors (0 = off). Counted across reactors; reset by a success.
const securitySchema = section({
  maxConnectErrors: intBetween(0, 4_294_967_295).default(100),
});

// Each reactor has its own executor pool (reactors reach it without a hop through the main
// thread); threads start on demand and stop after idleTimeoutMs, so an idle reactor holds none.
const executorSchema = section({
  // Per reactor.
  threads: intBetween(1, 64).default(1),
  // Statement texts longer than this are analysed on the executor, not on the reactor's event loop.
  offloadBytes: intBetween(1024, 1_073_741_824).default(256 * 1024),
  // A task running longer is stopped (its thread too) and the statement refused.
  timeoutMs: durationMs().default(30_000),
  idleTimeoutMs: durationMs().default(60_000),
});

const logSchema = section({
  level: logLevelSchema.default('info'),
});

export const configSchema = z.strictObject({
  listen: listenSchema.prefault({}),
  // A default above the cap would never be validated, so clamp it here.
  reactors: intBetween(1, MAX_REACTORS).default(() => Math.min(MAX_REACTORS, availableParallelism())),
  executor: executorSchema.prefault({}),
  maxAllowedPacket: intBetween(1024, 1_073_741_824).default(64 * 1024 * 1024),
  serverVersionSuffix: anyString().default('-Cathode'),
  // The high 8 bits of every connection id (the rest is a per-instance counter): instances behind one load balancer need different ones.
  instanceId: intBetween(0, 255).default(0),
  users: listOf(userSchema, 'users', { nonEmpty: true }).superRefine(checkUniqueNames('users')),
  backends: listOf(backendSchema, 'backends', { nonEmpty: true }).superRefine(checkUniqueNames('backends')),
  accounts: accountsSchema.prefault({}),
  schemas: listOf(schemaRouteSchema, 'schema routes').superRefine(checkUniqueNames('schemas')).default([]),
  timeouts: timeoutsSchema.prefault({}),
  reconnect: reconnectSchema.prefault({}),
  heartbeat: heartbeatSchema.prefault({}),
  tls: tlsSchema.optional(),
  rsaKeys: rsaKeysSchema.optional(),
  security: securitySchema.prefault({}),
  log: logSchema.prefault({}),
}, expecting('an object with at least "users" and "backends"')).superRefine((config, ctx) => {
  // Runs only once everything else is valid, like all cross-field checks.
  const backendNames = config.backends.map((backend) => backend.name);
  config.schemas.forEach((route, index) => {
    if (backendNames.includes(route.backend)) return;
    ctx.addIssue({
      code: 'custom',
      path: ['schemas', index, 'backend'],
      message: `expected the name of a backend (${backendNames.map((name) => JSON.stringify(name)).join(', ')}), got ${JSON.stringify(route.backend)}`,
    });
  });
});

export type CathodeConfig = z.output<typeof configSchema>;
export type UserConfig = CathodeConfig['users'][number];
export type BackendConfig = CathodeConfig['backends'][number];
export type AccountsConfig = CathodeConfig['accounts'];
export type LogLevel = (typeof LOG_LEVELS)[number];
