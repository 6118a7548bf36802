import tls from 'node:tls';
import { parentPort, workerData } from 'node:worker_threads';
import { BackendPools, MARIADB_FLAVOR_CAPABILITIES, loadServerAccounts } from '@cathode/backend';
import { ClientConnection, type FrontendOptions, ServerAccounts, type SessionHandlerFactory, UserDirectory, runClientSession, serverCapabilities } from '@cathode/frontend';
import { type DataNode, type KillResult, PassthroughRouter, type ProcessRow, ProxySession, type RouterContext, SessionRegistry } from '@cathode/router';
import { SqlError } from '@cathode/wire';
import { Executor } from '../executor/executor.ts';
import { createLogger } from '../logger.ts';
import { type Envelope, type MainToReactor, type ReactorToMain, type SessionKind, type WorkerInit, decode, decodeInit, encode } from '../threads/messages.ts';

/**
 * A reactor thread: owns the client sessions handed to it and its own backend pools. Everything a
 * session does happens on this thread's event loop; the main thread only sends sockets and events.
 */
const port = parentPort;
if (!port) throw new Error('reactor-worker must run as a worker thread');
const init = decodeInit<Extract<WorkerInit, { type: 'reactor-init' }>>(workerData as Uint8Array);
const { config, probe } = init;
const logger = createLogger(config.log.level, `reactor-${init.index}`);
const send = (message: ReactorToMain) => port.postMessage(encode(message));

const users = new UserDirectory(config.users);
users.onVerified = (user, digest) => send({ type: 'password-verified', user, digest });
if (config.accounts.fromBackend) {
  // Read with the first backend's own account; each reactor keeps (and reloads) its own copy.
  const source = config.backends[0];
  users.serverAccounts = new ServerAccounts({
    load: () => loadServerAccounts(source, config.timeouts.connectMs),
    reloadMinIntervalMs: config.accounts.reloadMinIntervalMs,
    onLoadFailed: (error) => logger.warn({ backend: source.name, err: (error as Error).message }, "cannot load the backend's accounts"),
    onLoaded: (records) => send({ type: 'server-accounts', records }),
  });
  void users.serverAccounts.preload();
}
const registry = new SessionRegistry();
const poolOptions = (backend: (typeof config.backends)[number]) => ({
  min: backend.pool.min,
  max: backend.pool.max,
  connectTimeoutMs: config.timeouts.connectMs,
  waitTimeoutMs: config.timeouts.poolWaitMs,
  reconnect: config.reconnect,
  maxPacketSize: config.maxAllowedPacket,
});
const pools = new BackendPools(config.backends.map((backend) => ({ endpoint: backend, options: poolOptions(backend) })), logger);
// Unsharded schemas are routed whole: one data node per backend, following the session's schema.
const nodesByBackend = new Map<string, DataNode>(config.backends.map((backend, id) => [backend.name, { id, name: backend.name, backend, database: undefined }]));
const router = new PassthroughRouter(
  new Map(config.schemas.map((schema) => [schema.name, nodesByBackend.get(schema.backend)!])),
  nodesByBackend.get(config.backends[0].name)!,
);

// This reactor's own executor pool: long statements are analysed there, reached directly.
const executor = new Executor({ ...config.executor, gate: init.executorGate }, logger);

/** What a client is told when the executor failed its statement; the statement never ran. */
function answerableExecutorError(error: unknown): never {
  logger.warn({ err: (error as Error).message }, 'statement analysis on the executor failed');
  throw SqlError.of('ER_EXECUTOR_FAILED', (error as Error).message);
}

const pending = new Map<number, (value: unknown) => void>();
let nextRequestId = 1;
function request<T>(message: (requestId: number) => ReactorToMain): Promise<T> {
  const requestId = nextRequestId++;
  return new Promise((resolve) => {
    pending.set(requestId, resolve as (value: unknown) => void);
    send(message(requestId));
  });
}

const context: RouterContext = {
  pools,
  router,
  collations: new Map(probe.collations.map(([id, charset, collation]) => [id, { charset, collation }])),
  defaultSqlMode: probe.sqlMode,
  users,
  registry,
  killRemote: (connectionId, queryOnly, username) => request<KillResult>((requestId) => ({ type: 'kill-remote', requestId, connectionId, queryOnly, username })),
  connectTimeoutMs: config.timeouts.connectMs,
  maxAllowedPacket: config.maxAllowedPacket,
  logger,
  analyzeOffThread: (sql, options) => executor.analyze(sql, options).catch(answerableExecutorError),
  offloadBytes: config.executor.offloadBytes,
};

const frontendOptions: FrontendOptions = {
  serverVersion: `${probe.serverVersion}${config.serverVersionSuffix}`,
  serverCapabilities: serverCapabilities(probe.capabilityFlags, config.tls !== undefined),
  mariaDbCapabilities: probe.mariaDbCapabilities & MARIADB_FLAVOR_CAPABILITIES,
  characterSet: probe.characterSet,
  users,
  // The PEM text comes from the main thread, which read and checked it before starting reactors.
  secureContext: init.tls ? tls.createSecureContext(init.tls) : undefined,
  rsaKeys: init.rsaKeys,
  maxPacketLength: config.maxAllowedPacket,
  authTimeoutMs: config.timeouts.authMs,
  logger,
  // The main thread counts failed logins per host across reactors and refuses blocked hosts.
  onLogin: config.security.maxConnectErrors > 0 ? (host, succeeded) => send({ type: succeeded ? 'login-succeeded' : 'login-failed', host }) : undefined,
};

/** What each kind of listener's connections are served by: handshake, TLS and authentication are the frontend's for all. */
const sessionHandlers: Record<SessionKind, SessionHandlerFactory> = {
  proxy: (connection) => new ProxySession(connection, context),
};

function adopt(envelope: Envelope, connectionId: number, kind: SessionKind): void {
  const socket = envelope.socket;
  if (!socket) return;
  const connection = new ClientConnection(socket, connectionId, config.maxAllowedPacket);
  connection.onClose(() => send({ type: 'session-closed', connectionId }));
  trackForDrain(connection);
  const session = sessionHandlers[kind](connection);
  runClientSession(connection, frontendOptions, session).catch((error: unknown) => {
    logger.error({ err: error, connectionId }, 'session failed');
    connection.destroy('internal error');
  });
}

// Shutdown: every connection (authenticated or not) closes once idle, with 1053 like MariaDB's
// own idle connections; the main thread hears 'drained' exactly once, when none is left.
const connections = new Set<ClientConnection>();
let draining = false;
let drained = false;

function trackForDrain(connection: ClientConnection): void {
  connections.add(connection);
  connection.onClose(() => {
    connections.delete(connection);
    drainIfDone();
  });
  if (draining) connection.closeWhenIdle('server shutting down', SqlError.of('ER_SERVER_SHUTDOWN'));
}

function drain(): void {
  draining = true;
  for (const connection of [...connections]) connection.closeWhenIdle('server shutting down', SqlError.of('ER_SERVER_SHUTDOWN'));
  registry.drainAll();
  drainIfDone();
}

function drainIfDone(): void {
  if (!draining || drained || connections.size > 0 || registry.size > 0) return;
  drained = true;
  pools.closeAll();
  void executor.close();
  send({ type: 'drained' });
}

port.on('message', (envelope: Envelope) => {
  const message = decode<MainToReactor>(envelope);
  switch (message.type) {
    case 'adopt-session':
      adopt(envelope, message.connectionId, message.kind);
      break;
    case 'backend-health':
      pools.setHealthy(message.backend, message.healthy);
      break;
    case 'sweep-idle': {
      const clients = registry.closeIdle(message.clientIdleMs);
      const backends = pools.sweepIdle(message.backendIdleMs);
      if (clients + backends > 0) logger.debug({ clients, backends }, 'idle sweep');
      break;
    }
    case 'kill':
      registry.kill(message.connectionId, message.queryOnly, message.username).then((result) => send({ type: 'kill-result', requestId: message.requestId, result }));
      break;
    case 'kill-result':
      pending.get(message.requestId)?.(message.result);
      pending.delete(message.requestId);
      break;
    case 'processlist-collect':
      send({ type: 'processlist-rows', requestId: message.requestId, rows: registry.processList(message.request) });
      break;
    case 'processlist-result':
      pending.get(message.requestId)?.(message.rows);
      pending.delete(message.requestId);
      break;
    case 'password-verified':
      users.learnVerified(message.user, Buffer.from(message.digest));
      break;
    case 'server-accounts':
      users.serverAccounts?.adopt(message.records);
      break;
    case 'drain':
      drain();
      break;
  }
});

registry.onRemoved = drainIfDone;
// SHOW PROCESSLIST: the other reactors' sessions come through the main thread, which answers even when one of them does not.
registry.remoteProcessList = (processListRequest) => request<ProcessRow[]>((requestId) => ({ type: 'processlist-request', requestId, request: processListRequest }));

process.on('uncaughtException', (error) => {
  logger.fatal({ err: error }, 'uncaught exception in reactor');
  process.exit(1);
});

send({ type: 'ready' });
