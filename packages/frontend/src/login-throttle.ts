import { CathodeError, CathodeErrorCode, ServerError, SqlError, encodeErrPacket, framePayload } from '@cathode/wire';

/** Hosts remembered at most; past this the host that failed longest ago is forgotten, so a flood of addresses cannot grow memory without bound. */
const MAX_TRACKED_HOSTS = 65_536;

/** Handshake faults a real client does not make: they count like a wrong password. */
const HANDSHAKE_FAULTS: ReadonlySet<string> = new Set([CathodeErrorCode.PROTOCOL_VIOLATION, CathodeErrorCode.PACKETS_OUT_OF_ORDER]);

/**
 * Consecutive failed logins per client host, after MariaDB's `max_connect_errors`: once a host
 * reaches the limit without a successful login in between, its connections are refused with 1129
 * until `flush()`. A success resets the host's count; a limit of 0 turns the throttle off.
 * Unlike MariaDB, wrong passwords count (MariaDB counts only handshake errors) and loopback
 * addresses are not exempt: guessing passwords through the proxy is what this is for.
 */
export class LoginThrottle {
  readonly maxConnectErrors: number;
  private readonly failures = new Map<string, number>();

  constructor(maxConnectErrors: number) {
    this.maxConnectErrors = maxConnectErrors;
  }

  isBlocked(host: string): boolean {
    return this.maxConnectErrors > 0 && (this.failures.get(host) ?? 0) >= this.maxConnectErrors;
  }

  /** Counts a failed login; true when this failure is the one that blocks the host. */
  failed(host: string): boolean {
    if (this.maxConnectErrors === 0) return false;
    const count = (this.failures.get(host) ?? 0) + 1;
    // Re-inserted, so the map's order is by last failure (the oldest is evicted first).
    this.failures.delete(host);
    this.failures.set(host, count);
    if (this.failures.size > MAX_TRACKED_HOSTS) this.failures.delete(this.failures.keys().next().value as string);
    return count === this.maxConnectErrors;
  }

  succeeded(host: string): void {
    this.failures.delete(host);
  }

  /** Unblocks every host (MariaDB's FLUSH HOSTS). */
  flush(): void {
    this.failures.clear();
  }
}

/** Whether a refused login counts against its host: wrong credentials or a malformed handshake, not a server-side failure. */
export function isFailedLogin(error: unknown): boolean {
  if (error instanceof SqlError) return error.errno === ServerError.ER_ACCESS_DENIED_ERROR.errno;
  return error instanceof CathodeError && HANDSHAKE_FAULTS.has(error.code);
}

/** What MariaDB sends a blocked host instead of the handshake: ERR 1129 as packet 0. */
export function hostBlockedPacket(host: string): Buffer {
  return framePayload(encodeErrPacket(SqlError.of('ER_HOST_IS_BLOCKED', host)), 0).bytes;
}
