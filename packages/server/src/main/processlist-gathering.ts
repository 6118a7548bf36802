import type { ProcessListRequest, ProcessRow } from '@cathode/router';
import type { Logger } from 'pino';
import type { MainToReactor } from '../threads/messages.ts';

/** How long the main thread waits for the other reactors' sessions before answering without the late ones. */
export const PROCESS_LIST_TIMEOUT_MS = 1000;

/** What gathering needs of the reactor threads. */
export interface ProcessListPeers {
  /** Indices of the running reactors other than `index`. */
  peersOf(index: number): number[];
  send(index: number, message: MainToReactor): void;
}

interface Gathering {
  from: number;
  requestId: number;
  waiting: Set<number>;
  rows: ProcessRow[];
  timer: NodeJS.Timeout;
}

/**
 * SHOW PROCESSLIST across reactors: a reactor lists its own sessions and asks the main thread for
 * the others', which asks each other reactor and answers when all have, or when the timeout
 * passes: a reactor that does not answer (stuck, or dying) is left out, never waited for.
 */
export class ProcessListGatherings {
  private readonly peers: ProcessListPeers;
  private readonly logger: Logger;
  private readonly timeoutMs: number;
  private readonly open = new Map<number, Gathering>();
  private nextId = 1;

  constructor(peers: ProcessListPeers, logger: Logger, timeoutMs = PROCESS_LIST_TIMEOUT_MS) {
    this.peers = peers;
    this.logger = logger;
    this.timeoutMs = timeoutMs;
  }

  /** Reactor `from` asks (its request id `requestId`). */
  request(from: number, requestId: number, request: ProcessListRequest): void {
    const peers = this.peers.peersOf(from);
    if (peers.length === 0) {
      this.peers.send(from, { type: 'processlist-result', requestId, rows: [] });
      return;
    }
    const id = this.nextId++;
    const timer = setTimeout(() => {
      const late = this.open.get(id);
      if (!late) return;
      this.logger.warn({ reactors: [...late.waiting] }, 'reactors did not answer a process list in time; listing without their sessions');
      this.answer(id, late);
    }, this.timeoutMs);
    timer.unref();
    this.open.set(id, { from, requestId, waiting: new Set(peers), rows: [], timer });
    for (const peer of peers) this.peers.send(peer, { type: 'processlist-collect', requestId: id, request });
  }

  /** Reactor `from` answered collection `id`. */
  rows(from: number, id: number, rows: ProcessRow[]): void {
    const gathering = this.open.get(id);
    if (!gathering || !gathering.waiting.delete(from)) return;
    for (const row of rows) gathering.rows.push(row);
    if (gathering.waiting.size === 0) this.answer(id, gathering);
  }

  private answer(id: number, gathering: Gathering): void {
    this.open.delete(id);
    clearTimeout(gathering.timer);
    this.peers.send(gathering.from, { type: 'processlist-result', requestId: gathering.requestId, rows: gathering.rows });
  }
}
