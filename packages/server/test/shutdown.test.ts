import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import type mysql from 'mysql2/promise';
import { startTestCathode } from './support/harness.ts';

// Graceful shutdown with several reactors (issue 7, hole 11): running statements finish, idle
// clients are told 1053 before the close.

interface ConnectionError extends Error {
  code?: unknown;
  fatal?: boolean;
}

/** The first error a connection emits (mysql2 emits an unsolicited ERR packet as a fatal error). */
function firstError(connection: mysql.Connection): Promise<ConnectionError> {
  return once(connection, 'error').then(([error]) => error as ConnectionError);
}

/** Resolves once MariaDB runs `sql` for some client: the statement is in flight, not still on its way. */
async function untilRunning(direct: (sql: string, values?: unknown[]) => Promise<unknown>, sql: string): Promise<void> {
  for (;;) {
    const rows = (await direct('SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE INFO = ?', [sql])) as Array<{ n: number }>;
    if (Number(rows[0].n) > 0) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

test('shutdown with an idle client on another reactor lets a running statement finish; the idle client gets 1053', async () => {
  const cathode = await startTestCathode({ reactors: 2, timeouts: { shutdownGraceMs: 60_000 } });
  const opened: mysql.Connection[] = [];
  try {
    const idle = await cathode.connect();
    opened.push(idle);
    const idleError = firstError(idle);
    const idleReactor = cathode.handle.reactorOf(idle.threadId);
    // Placement goes to the reactor with the fewest sessions; open more until one lands on the other.
    let busy: mysql.Connection | undefined;
    while (!busy) {
      const candidate = await cathode.connect();
      opened.push(candidate);
      candidate.on('error', () => {});
      if (cathode.handle.reactorOf(candidate.threadId) !== idleReactor) busy = candidate;
    }
    assert.notEqual(cathode.handle.reactorOf(busy.threadId), idleReactor);

    const sleep = 'SELECT SLEEP(2) AS slept';
    const running = busy.query(sleep);
    await untilRunning(cathode.direct, sleep);
    const closed = cathode.handle.close();

    const [rows] = (await running) as unknown as [Array<{ slept: number }>];
    assert.deepEqual(rows, [{ slept: 0 }], 'SLEEP ran to its end and returned its row');
    const error = await idleError;
    assert.equal(error.code, 1053, `the idle client got ${String(error.code)}: ${error.message}`);
    assert.equal(error.fatal, true);
    assert.match(error.message, /Server shutdown in progress/);
    await closed;
  } finally {
    for (const connection of opened) connection.destroy();
    await cathode.close();
  }
});

test('a client that connects but has not logged in yet is told 1053 too, and shutdown does not wait for it', async () => {
  const cathode = await startTestCathode({ reactors: 2, timeouts: { shutdownGraceMs: 60_000 } });
  try {
    const net = await import('node:net');
    const socket = net.connect(cathode.port, '127.0.0.1');
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    // The handshake arrives; the client never answers it.
    await once(socket, 'data');
    const ended = once(socket, 'close');
    await cathode.handle.close();
    await ended;
    const bytes = Buffer.concat(received);
    const handshakeLength = bytes.readUIntLE(0, 3) + 4;
    const err = bytes.subarray(handshakeLength);
    assert.equal(err[4], 0xff, 'an ERR packet follows the handshake');
    assert.equal(err.readUInt16LE(5), 1053);
  } finally {
    await cathode.close();
  }
});
