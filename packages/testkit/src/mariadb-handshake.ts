import { connect } from 'node:net';

const PROTOCOL_VERSION_10 = 10;
const ERROR_PACKET = 0xff;
const ER_HOST_NOT_PRIVILEGED = 1130;

/**
 * Connects once and reports whether the server sent a protocol-10 initial handshake.
 * Also ready: ER_HOST_NOT_PRIVILEGED, which the server sends instead of a handshake when no
 * account matches our host; the caller can repair that through the unix socket.
 * Other error packets (e.g. "too many connections") or a refused connection count as not ready.
 */
export function probeHandshake(host: string, port: number, timeoutMs = 2_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let received = Buffer.alloc(0);
    const finish = (ready: boolean): void => {
      socket.destroy();
      resolve(ready);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('error', () => finish(false));
    socket.once('close', () => finish(false));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      // 3-byte length + 1-byte sequence id, then the payload's first byte.
      if (received.length < 5) return;
      const first = received[4];
      if (first === PROTOCOL_VERSION_10) return finish(true);
      if (first !== ERROR_PACKET) return finish(false);
      if (received.length < 7) return; // wait for the 2-byte error code
      finish(received.readUInt16LE(5) === ER_HOST_NOT_PRIVILEGED);
    });
  });
}

export interface WaitForHandshakeOptions {
  host: string;
  port: number;
  timeoutMs: number;
  /** Checked between attempts; a returned Error aborts the wait (e.g. the server process died). */
  failure: () => Error | undefined;
}

/** Retries probeHandshake with a short backoff until it succeeds, `failure()` reports, or the timeout. */
export async function waitForHandshake({ host, port, timeoutMs, failure }: WaitForHandshakeOptions): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let delay = 10;
  for (;;) {
    const failed = failure();
    if (failed) throw failed;
    if (await probeHandshake(host, port)) return;
    const failedMeanwhile = failure();
    if (failedMeanwhile) throw failedMeanwhile;
    if (Date.now() >= deadline) {
      throw new Error(`no MySQL handshake on ${host}:${port} within ${timeoutMs / 1000}s`);
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(Math.round(delay * 1.5), 200);
  }
}
