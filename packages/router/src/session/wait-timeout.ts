/** What the wait_timeout clock needs of a session. */
export interface IdleSession {
  /** When the session last finished a command, or undefined while it runs one. */
  readonly idleSince: number | undefined;
  close(reason: string): void;
}

/** How often sessions with a wait_timeout of their own are checked: MariaDB counts it in whole seconds. */
const CHECK_EVERY_MS = 250;

/**
 * Sessions that set their own `wait_timeout` are closed once idle that long, as MariaDB closes a
 * client connection (the backend connections that serve them are pooled, so MariaDB's own timer
 * never sees the client idle). One clock per reactor thread, running only while such sessions exist.
 */
export class WaitTimeouts {
  private readonly timeouts = new Map<IdleSession, number>();
  private timer: NodeJS.Timeout | undefined;

  /** `seconds` undefined: back to the server-wide client idle timeout. */
  set(session: IdleSession, seconds: number | undefined): void {
    if (seconds === undefined) this.timeouts.delete(session);
    else this.timeouts.set(session, seconds * 1000);
    if (this.timeouts.size > 0 && !this.timer) {
      this.timer = setInterval(() => this.check(Date.now()), CHECK_EVERY_MS);
      this.timer.unref();
    } else if (this.timeouts.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  check(now: number): void {
    for (const [session, timeoutMs] of this.timeouts) {
      const idleSince = session.idleSince;
      if (idleSince === undefined || now - idleSince < timeoutMs) continue;
      this.set(session, undefined);
      session.close(`idle for more than its wait_timeout (${timeoutMs / 1000} s)`);
    }
  }
}

/** The seconds of a replayable `@@session.wait_timeout = <value>` assignment; undefined for DEFAULT or anything else. */
export function waitTimeoutSeconds(assignment: string): number | undefined {
  const value = assignment.slice(assignment.indexOf('=') + 1).trim().replace(/^'(.*)'$/, '$1');
  if (!/^\d+$/.test(value)) return undefined;
  // MariaDB clamps to 1 … 31536000.
  return Math.min(Math.max(Number(value), 1), 31_536_000);
}
