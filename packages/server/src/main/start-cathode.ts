import { Worker } from 'node:worker_threads';
import type { CathodeConfig } from '@cathode/config';
import { LoginThrottle, hostBlockedPacket } from '@cathode/frontend';
import type { Logger } from 'pino';
import { createLogger } from '../logger.ts';
import { type BackendProbe, type Envelope, type ReactorToMain, type TimerToMain, decode, encode, encodeInit } from '../threads/messages.ts';
import { probeBackend } from './backend-probe.ts';
import { ConnectionIds } from './connection-ids.ts';
import { Listeners } from './listeners.ts';
import { ProcessListGatherings } from './processlist-gathering.ts';
import { ReactorSet } from './reactor-set.ts';
import { StartupError } from './startup-error.ts';
import { loadStartupKeys } from './startup-keys.ts';

export interface CathodeHandle {
  host: string;
  port: number;
  /** Live sessions per reactor thread. */
  sessionCounts(): number[];
  /** The reactor serving a connection id (as clients see it in the handshake). */
  reactorOf(connectionId: number): number | undefined;
  /** Called whenever the heartbeats declare a backend down or up again. */
  onBackendHealth(listener: (backend: string, healthy: boolean) => void): void;
  /** Kills a reactor thread as a crash would; it is replaced. */
  terminateReactor(index: number): Promise<void>;
  /** Unblocks every client host the login throttle blocked (MariaDB's FLUSH HOSTS). */
  flushHosts(): void;
  /** Graceful stop: no new connections, running statements get `shutdownGraceMs` to finish. */
  close(): Promise<void>;
}

/**
 * The acceptor: the main thread listens, hands sockets to reactors, and relays between threads.
 * Start-up fails fast, with a StartupError naming the cause, on a bad key file, a port in use or
 * a backend that refuses Cathode's credentials; whatever was started by then is stopped again.
 */
/** Hooks for tests, never set in production. */
export interface StartHooks {
  /** Executor tasks wait at this BroadcastChannel gate until released (executor/executor-gate.ts). */
  executorGate?: string;
}

export async function startCathode(config: CathodeConfig, logger: Logger = createLogger(config.log.level, 'main'), hooks: StartHooks = {}): Promise<CathodeHandle> {
  const keys = loadStartupKeys(config);
  // The ports first: a second instance on a used port must not get as far as the backend.
  const listeners = await Listeners.bind([{ configPath: 'listen', ...config.listen, kind: 'proxy' }], (error, spec) =>
    logger.error({ err: error, listener: spec.configPath }, 'listener error'),
  );
  const throttle = new LoginThrottle(config.security.maxConnectErrors);

  let reactors: ReactorSet | undefined;
  let timer: Worker | undefined;
  const health = new Map<string, boolean>();
  const healthListeners: Array<(backend: string, healthy: boolean) => void> = [];
  const pendingKills = new Map<number, { from: number; requestId: number }>();
  let nextKillId = 1;
  let processLists: ProcessListGatherings | undefined;
  let closing: Promise<void> | undefined;
  // Reactors that finished draining, by index: a reactor may say so more than once, and a
  // replacement started during shutdown drains too.
  const drainedReactors = new Set<number>();
  let drained: (() => void) | undefined;

  const onReactorMessage = (message: ReactorToMain, from: number) => {
    const set = reactors as ReactorSet;
    switch (message.type) {
      case 'ready':
        for (const [backend, healthy] of health) if (!healthy) set.send(from, { type: 'backend-health', backend, healthy });
        if (closing) set.send(from, { type: 'drain' });
        break;
      case 'kill-remote': {
        const owner = set.ownerOf(message.connectionId);
        if (owner === undefined) {
          set.send(from, { type: 'kill-result', requestId: message.requestId, result: 'unknown' });
          break;
        }
        const id = nextKillId++;
        pendingKills.set(id, { from, requestId: message.requestId });
        set.send(owner, { type: 'kill', requestId: id, connectionId: message.connectionId, queryOnly: message.queryOnly, username: message.username });
        break;
      }
      case 'processlist-request':
        processLists ??= new ProcessListGatherings(set, logger);
        processLists.request(from, message.requestId, message.request);
        break;
      case 'processlist-rows':
        processLists?.rows(from, message.requestId, message.rows);
        break;
      case 'kill-result': {
        const origin = pendingKills.get(message.requestId);
        pendingKills.delete(message.requestId);
        if (origin) set.send(origin.from, { type: 'kill-result', requestId: origin.requestId, result: message.result });
        break;
      }
      case 'password-verified':
        set.broadcast(message);
        break;
      case 'server-accounts':
        for (let index = 0; index < set.size; index++) if (index !== from) set.send(index, message);
        break;
      case 'login-failed':
        if (throttle.failed(message.host)) logger.warn({ host: message.host, maxConnectErrors: throttle.maxConnectErrors }, 'client host blocked after too many failed logins');
        break;
      case 'login-succeeded':
        throttle.succeeded(message.host);
        break;
      case 'drained':
        drainedReactors.add(from);
        if (drainedReactors.size >= set.size) drained?.();
        break;
      default:
        break;
    }
  };

  let probe: BackendProbe;
  try {
    probe = await probeBackend(config, logger);
    reactors = new ReactorSet(config.reactors, (index) => ({ type: 'reactor-init', index, config, probe, rsaKeys: keys.rsaKeys, tls: keys.tls, executorGate: hooks.executorGate }), onReactorMessage, logger);
    await reactors.whenReady();
    timer = startTimer(config, reactors, health, healthListeners, logger);
  } catch (error) {
    listeners.close();
    await Promise.all([reactors?.stop(), timer?.terminate()]);
    throw error instanceof StartupError ? error : new StartupError(`cannot start: ${(error as Error).message}`, { cause: error });
  }

  const started = reactors;
  const connectionIds = new ConnectionIds(config.instanceId, (id) => started.ownerOf(id) !== undefined);
  listeners.serve((socket, kind) => {
    const host = socket.remoteAddress ?? '';
    // MariaDB sends a blocked host the error instead of the handshake.
    if (throttle.isBlocked(host)) {
      socket.end(hostBlockedPacket(host));
      return;
    }
    let connectionId: number | undefined;
    try {
      connectionId = connectionIds.next();
      started.adopt(socket, connectionId, kind);
    } catch (error) {
      logger.warn({ err: error, connectionId }, 'could not hand connection to a reactor');
      socket.destroy();
    }
  });

  const address = listeners.addressOf('listen')!;
  logger.info({ host: address.address, port: address.port, reactors: config.reactors, backend: probe.serverVersion }, 'cathode is listening');
  const stoppedTimer = timer;
  return {
    host: address.address,
    port: address.port,
    sessionCounts: () => started.sessionCounts(),
    reactorOf: (connectionId) => started.ownerOf(connectionId),
    terminateReactor: (index) => started.terminate(index),
    onBackendHealth: (listener) => healthListeners.push(listener),
    flushHosts: () => throttle.flush(),
    close() {
      closing ??= (async () => {
        logger.info('shutting down: no new connections, draining sessions');
        listeners.close();
        const allDrained = new Promise<void>((resolve) => (drained = resolve));
        started.broadcast({ type: 'drain' });
        let graceTimer: NodeJS.Timeout | undefined;
        const grace = new Promise<void>((resolve) => (graceTimer = setTimeout(resolve, config.timeouts.shutdownGraceMs)));
        await Promise.race([allDrained, grace]);
        clearTimeout(graceTimer);
        if (drainedReactors.size < started.size) logger.warn({ graceMs: config.timeouts.shutdownGraceMs }, 'shutdown grace over: closing sessions still running statements');
        stoppedTimer.postMessage(encode({ type: 'stop' }));
        await Promise.all([started.stop(), stoppedTimer.terminate()]);
        logger.info('stopped');
      })();
      return closing;
    },
  };
}


function startTimer(
  config: CathodeConfig,
  reactors: ReactorSet,
  health: Map<string, boolean>,
  healthListeners: Array<(backend: string, healthy: boolean) => void>,
  logger: Logger,
): Worker {
  const timer = new Worker(new URL('../timer/timer-worker.ts', import.meta.url), { workerData: encodeInit({ type: 'timer-init', config }), name: 'timer' });
  timer.on('message', (envelope: Envelope) => {
    const message = decode<TimerToMain>(envelope);
    if (message.type === 'backend-health') {
      health.set(message.backend, message.healthy);
      reactors.broadcast({ type: 'backend-health', backend: message.backend, healthy: message.healthy });
      for (const listener of healthListeners) listener(message.backend, message.healthy);
    } else {
      reactors.broadcast(message);
    }
  });
  timer.on('error', (error) => logger.error({ err: error }, 'timer thread crashed'));
  return timer;
}
