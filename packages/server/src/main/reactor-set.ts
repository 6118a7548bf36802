import { Worker } from 'node:worker_threads';
import type net from 'node:net';
import type { Logger } from 'pino';
import { type Envelope, type MainToReactor, type ReactorToMain, type SessionKind, type WorkerInit, decode, encode, encodeInit } from '../threads/messages.ts';

interface Reactor {
  index: number;
  worker: Worker;
  sessions: Set<number>;
  ready: Promise<void>;
  started: boolean;
  /** The error that ended the thread, if it crashed. */
  crash: Error | undefined;
}

/**
 * The reactor threads as the acceptor sees them: live session counts for placement, which reactor
 * owns which connection, and replacement of a reactor that dies (its sessions are lost with it).
 * A reactor that dies before it is ready is not replaced: whatever killed it (a bad key, a bug at
 * load time) would kill its replacement too, so start-up fails instead of looping.
 */
export class ReactorSet {
  private readonly reactors: Reactor[] = [];
  private readonly owners = new Map<number, Reactor>();
  private readonly initFor: (index: number) => WorkerInit;
  private readonly onMessage: (message: ReactorToMain, from: number) => void;
  private readonly logger: Logger;
  private stopping = false;

  constructor(count: number, initFor: (index: number) => WorkerInit, onMessage: (message: ReactorToMain, from: number) => void, logger: Logger) {
    this.initFor = initFor;
    this.onMessage = onMessage;
    this.logger = logger;
    for (let index = 0; index < count; index++) this.reactors.push(this.spawn(index));
  }

  whenReady(): Promise<void> {
    return Promise.all(this.reactors.map((reactor) => reactor.ready)).then(() => undefined);
  }

  get size(): number {
    return this.reactors.length;
  }

  private spawn(index: number): Reactor {
    const worker = new Worker(new URL('../reactor/reactor-worker.ts', import.meta.url), { workerData: encodeInit(this.initFor(index)), name: `reactor-${index}` });
    let markReady: () => void = () => {};
    let failStart: (error: Error) => void = () => {};
    const ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      failStart = reject;
    });
    // Only whenReady() awaits this; a replacement's failure is logged instead.
    ready.catch(() => {});
    const reactor: Reactor = { index, worker, sessions: new Set(), ready, started: false, crash: undefined };
    worker.on('message', (envelope: Envelope) => {
      const message = decode<ReactorToMain>(envelope);
      if (message.type === 'ready') {
        reactor.started = true;
        markReady();
      }
      else if (message.type === 'session-closed') {
        reactor.sessions.delete(message.connectionId);
        this.owners.delete(message.connectionId);
      }
      this.onMessage(message, index);
    });
    worker.on('error', (error) => {
      reactor.crash = error as Error;
      this.logger.error({ err: error, reactor: index }, 'reactor thread crashed');
    });
    worker.on('exit', (code) => {
      if (!reactor.started) failStart(new Error(`reactor thread ${index} exited during start-up (code ${code})${reactor.crash ? `: ${reactor.crash.message}` : ''}`));
      this.replace(reactor, code);
    });
    return reactor;
  }

  private replace(dead: Reactor, code: number): void {
    for (const connectionId of dead.sessions) this.owners.delete(connectionId);
    if (this.stopping) return;
    if (!dead.started) {
      this.logger.error({ reactor: dead.index, exitCode: code }, 'reactor thread died before it was ready; not replacing it');
      return;
    }
    this.logger.error({ reactor: dead.index, exitCode: code, lostSessions: dead.sessions.size }, 'reactor thread died; starting a replacement');
    if (this.reactors[dead.index] === dead) this.reactors[dead.index] = this.spawn(dead.index);
  }

  /** Hands a paused, freshly accepted socket to the reactor with the fewest live sessions. */
  adopt(socket: net.Socket, connectionId: number, kind: SessionKind): number {
    // A replacement still starting (or one that failed to) gets no sockets.
    let target: Reactor | undefined;
    for (const reactor of this.reactors) if (reactor.started && (!target || reactor.sessions.size < target.sessions.size)) target = reactor;
    if (!target) throw new Error('no reactor thread is running');
    target.worker.postMessage(encode({ type: 'adopt-session', connectionId, kind }, socket), [socket]);
    target.sessions.add(connectionId);
    this.owners.set(connectionId, target);
    return target.index;
  }

  ownerOf(connectionId: number): number | undefined {
    return this.owners.get(connectionId)?.index;
  }

  /** The running reactors other than `index` (for gathering what each knows). */
  peersOf(index: number): number[] {
    return this.reactors.filter((reactor) => reactor.started && reactor.index !== index).map((reactor) => reactor.index);
  }

  sessionCounts(): number[] {
    return this.reactors.map((reactor) => reactor.sessions.size);
  }

  send(index: number, message: MainToReactor): void {
    this.reactors[index]?.worker.postMessage(encode(message));
  }

  broadcast(message: MainToReactor): void {
    for (const reactor of this.reactors) reactor.worker.postMessage(encode(message));
  }

  /** Ends a reactor thread abruptly, as a crash would (used by tests and operators). */
  async terminate(index: number): Promise<void> {
    const reactor = this.reactors[index];
    await reactor.worker.terminate();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.reactors.map((reactor) => reactor.worker.terminate()));
  }
}
