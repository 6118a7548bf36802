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
}

export type KillResult = 'killed' | 'unknown' | 'denied';

/** One reactor's live sessions by connection id: for KILL, idle sweeps and shutdown. */
export class SessionRegistry {
  private readonly sessions = new Map<number, RegisteredSession>();
  /** Called after a session leaves (the reactor finishes draining when none are left). */
  onRemoved: (() => void) | undefined;

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
