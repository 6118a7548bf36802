import type { ProcessListRequest, ProcessRow } from './processlist.ts';

/** What the registry needs of a session. */
export interface RegisteredSession {
  readonly connectionId: number;
  readonly username: string | undefined;
  readonly idleSince: number | undefined;
  /** KILL from another session: interrupt the running statement, and unless `queryOnly` end the session. */
  interrupt(queryOnly: boolean): Promise<void>;
  close(reason: string): void;
  /** Shutdown: close now if idle, else right after the current statement. */
  drain(): void;
  /** The session as SHOW PROCESSLIST shows it; undefined until it is logged in. */
  processRow(now: number, infoLimit: number): ProcessRow | undefined;
}

export type KillResult = 'killed' | 'unknown' | 'denied';

/** One reactor's live sessions by connection id: for KILL, idle sweeps and shutdown. */
export class SessionRegistry {
  private readonly sessions = new Map<number, RegisteredSession>();
  /** Called after a session leaves (the reactor finishes draining when none are left). */
  onRemoved: (() => void) | undefined;
  /** The other reactors' sessions, gathered through the main thread (a reactor that does not answer in time is left out). */
  remoteProcessList: (request: ProcessListRequest) => Promise<ProcessRow[]> = async () => [];

  add(session: RegisteredSession): void {
    this.sessions.set(session.connectionId, session);
  }

  remove(connectionId: number): void {
    if (this.sessions.delete(connectionId)) this.onRemoved?.();
  }

  get size(): number {
    return this.sessions.size;
  }

  get(connectionId: number): RegisteredSession | undefined {
    return this.sessions.get(connectionId);
  }

  /** KILL on behalf of `username`: only a session of the same user may be killed. */
  async kill(connectionId: number, queryOnly: boolean, username: string): Promise<KillResult> {
    const session = this.sessions.get(connectionId);
    if (!session) return 'unknown';
    if (session.username !== username) return 'denied';
    await session.interrupt(queryOnly);
    return 'killed';
  }

  /** This reactor's sessions that `request` may see. */
  processList(request: ProcessListRequest, now = Date.now()): ProcessRow[] {
    const rows: ProcessRow[] = [];
    for (const session of this.sessions.values()) {
      if (request.user !== undefined && session.username !== request.user) continue;
      const row = session.processRow(now, request.infoLimit);
      if (row) rows.push(row);
    }
    return rows;
  }

  /** Every reactor's sessions that `request` may see, in id order. */
  async gatherProcessList(request: ProcessListRequest): Promise<ProcessRow[]> {
    const local = this.processList(request);
    const remote = await this.remoteProcessList(request);
    return local.concat(remote).sort((a, b) => a.id - b.id);
  }

  /** Closes sessions idle since before `now - idleMs`; returns how many. */
  closeIdle(idleMs: number, now = Date.now()): number {
    let closed = 0;
    for (const session of [...this.sessions.values()]) {
      if (session.idleSince !== undefined && now - session.idleSince >= idleMs) {
        session.close(`idle for more than ${idleMs} ms`);
        closed++;
      }
    }
    return closed;
  }

  drainAll(): void {
    for (const session of [...this.sessions.values()]) session.drain();
  }
}
