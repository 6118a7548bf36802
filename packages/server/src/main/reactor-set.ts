import { Worker } from 'node:worker_threads';
import type net from 'node:net';
import type { Logger } from 'pino';
import { type Envelope, type MainToReactor, type ReactorToMain, type WorkerInit, decode, encode, encodeInit } from '../threads/messages.ts';

interface Reactor {
  index: number;
  worker: Worker;
  sessions: Set<number>;
  ready: Promise<void>;
}

/**
 * The reactor threads as the acceptor sees them: live session counts for placement, which reactor
 * owns which connection, and replacement of a reactor that dies (its sessions are lost with it).
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
    const reactor: Reactor = { index, worker, sessions: new Set(), ready: new Promise((resolve) => (markReady = resolve)) };
    worker.on('message', (envelope: Envelope) => {
      const message = decode<ReactorToMain>(envelope);
      if (message.type === 'ready') markReady();
      else if (message.type === 'session-closed') {
        reactor.sessions.delete(message.connectionId);
        this.owners.delete(message.connectionId);
      }
      this.onMessage(message, index);
    });
    worker.on('error', (error) => this.logger.error({ err: error, reactor: index }, 'reactor thread crashed'));
    worker.on('exit', (code) => this.replace(reactor, code));
    return reactor;
  }

  private replace(dead: Reactor, code: number): void {
    for (const connectionId of dead.sessions) this.owners.delete(connectionId);
    if (this.stopping) return;
    this.logger.error({ reactor: dead.index, exitCode: code, lostSessions: dead.sessions.size }, 'reactor thread died; starting a replacement');
    if (this.reactors[dead.index] === dead) this.reactors[dead.index] = this.spawn(dead.index);
  }

  /** Hands a paused, freshly accepted socket to the reactor with the fewest live sessions. */
  adopt(socket: net.Socket, connectionId: number): number {
    let target = this.reactors[0];
    for (const reactor of this.reactors) if (reactor.sessions.size < target.sessions.size) target = reactor;
    target.worker.postMessage(encode({ type: 'adopt-session', connectionId }, socket), [socket]);
    target.sessions.add(connectionId);
    this.owners.set(connectionId, target);
    return target.index;
  }

  ownerOf(connectionId: number): number | undefined {
    return this.owners.get(connectionId)?.index;
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
