import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { Worker } from 'node:worker_threads';
import type { CathodeConfig } from '@cathode/config';
import type { Logger } from 'pino';
import { Executor } from '../executor/executor.ts';
import { createLogger } from '../logger.ts';
import { type Envelope, type ReactorToMain, type TimerToMain, decode, encode, encodeInit } from '../threads/messages.ts';
import { probeBackend } from './backend-probe.ts';
import { ReactorSet } from './reactor-set.ts';

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
  executor: Executor;
  /** Graceful stop: no new connections, running statements get `shutdownGraceMs` to finish. */
  close(): Promise<void>;
}

/** The acceptor: the main thread listens, hands sockets to reactors, and relays between threads. */
export async function startCathode(config: CathodeConfig, logger: Logger = createLogger(config.log.level, 'main')): Promise<CathodeHandle> {
  const probe = await probeBackend(config, logger);
  const rsaKeys = config.rsaKeys
    ? { privateKey: readFileSync(config.rsaKeys.privateKey, 'utf8'), publicKey: readFileSync(config.rsaKeys.publicKey, 'utf8') }
    : generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  const executor = new Executor(config.executor.threads);
  const health = new Map<string, boolean>();
  const healthListeners: Array<(backend: string, healthy: boolean) => void> = [];
  const pendingKills = new Map<number, { from: number; requestId: number }>();
  let nextKillId = 1;
  let drained: (() => void) | undefined;
  let drainedCount = 0;

  const onReactorMessage = (message: ReactorToMain, from: number) => {
    switch (message.type) {
      case 'ready':
        for (const [backend, healthy] of health) if (!healthy) reactors.send(from, { type: 'backend-health', backend, healthy });
        break;
      case 'kill-remote': {
        const owner = reactors.ownerOf(message.connectionId);
        if (owner === undefined) {
          reactors.send(from, { type: 'kill-result', requestId: message.requestId, result: 'unknown' });
          break;
        }
        const id = nextKillId++;
        pendingKills.set(id, { from, requestId: message.requestId });
        reactors.send(owner, { type: 'kill', requestId: id, connectionId: message.connectionId, queryOnly: message.queryOnly, username: message.username });
        break;
      }
      case 'kill-result': {
        const origin = pendingKills.get(message.requestId);
        pendingKills.delete(message.requestId);
        if (origin) reactors.send(origin.from, { type: 'kill-result', requestId: origin.requestId, result: message.result });
        break;
      }
      case 'executor-task':
        executor.run(message.task).then(
          (result) => reactors.send(from, { type: 'executor-result', requestId: message.requestId, result }),
          (error: Error) => reactors.send(from, { type: 'executor-result', requestId: message.requestId, error: error.message }),
        );
        break;
      case 'password-verified':
        reactors.broadcast(message);
        break;
      case 'drained':
        if (++drainedCount === reactors.size) drained?.();
        break;
      default:
        break;
    }
  };
  const reactors = new ReactorSet(config.reactors, (index) => ({ type: 'reactor-init', index, config, probe, rsaKeys }), onReactorMessage, logger);
  await reactors.whenReady();

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

  let nextConnectionId = 1;
  const server = net.createServer({ pauseOnConnect: true, noDelay: true }, (socket) => {
    const connectionId = nextConnectionId++;
    try {
      reactors.adopt(socket, connectionId);
    } catch (error) {
      logger.warn({ err: error, connectionId }, 'could not hand connection to a reactor');
      socket.destroy();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: config.listen.host, port: config.listen.port, backlog: config.listen.backlog }, resolve);
  });
  server.on('error', (error) => logger.error({ err: error }, 'listener error'));
  const address = server.address() as net.AddressInfo;
  logger.info({ host: address.address, port: address.port, reactors: config.reactors, backend: probe.serverVersion }, 'cathode is listening');

  let closing: Promise<void> | undefined;
  return {
    host: address.address,
    port: address.port,
    sessionCounts: () => reactors.sessionCounts(),
    reactorOf: (connectionId) => reactors.ownerOf(connectionId),
    terminateReactor: (index) => reactors.terminate(index),
    onBackendHealth: (listener) => healthListeners.push(listener),
    executor,
    close() {
      closing ??= (async () => {
        logger.info('shutting down: no new connections, draining sessions');
        server.close();
        const allDrained = new Promise<void>((resolve) => (drained = resolve));
        reactors.broadcast({ type: 'drain' });
        const grace = new Promise<void>((resolve) => setTimeout(resolve, config.timeouts.shutdownGraceMs).unref());
        await Promise.race([allDrained, grace]);
        timer.postMessage(encode({ type: 'stop' }));
        await Promise.all([reactors.stop(), timer.terminate(), executor.close()]);
        logger.info('stopped');
      })();
      return closing;
    },
  };
}
