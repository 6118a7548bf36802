import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, it } from 'node:test';
import { adminQuery, testMariaDb } from '@cathode/testkit';
import { CapabilityFlags, ResponseShape, decodeTextRow, encodeComQuery, framePayload } from '@cathode/wire';
import { BackendConnection, type RelayOutcome } from '../src/backend-connection.ts';
import type { ResponseSink } from '../src/response-sink.ts';

// A relayed response is forwarded from the socket's reused read buffer. While the client side
// still holds forwarded bytes (a write not yet with the kernel), that memory must not be read into
// again. These sinks keep every slice they are given, without copying, as a pending write does.

const ROWS = 64;
const ROW_BYTES = 16 * 1024; // 1 MiB in all: many socket reads.
let connection: BackendConnection;

before(async () => {
  const mariadb = await testMariaDb();
  await adminQuery(mariadb, 'CREATE DATABASE IF NOT EXISTS relay_buffer');
  connection = await BackendConnection.connect({
    endpoint: { name: 'test', host: mariadb.host, port: mariadb.port, user: 'root', password: '' },
    flavor: CapabilityFlags.CLIENT_DEPRECATE_EOF,
    connectTimeoutMs: 10_000,
  });
});
after(() => connection?.close());

/** Relays a query whose rows are distinct pseudo-random bytes (SHA2 chains), to `sink`. */
async function relayRows(sink: ResponseSink): Promise<void> {
  const sql = `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${ROWS})
    SELECT i, REPEAT(SHA2(i, 256), ${ROW_BYTES / 64}) AS filler FROM n`;
  const outcome = await new Promise<RelayOutcome | undefined>((resolve, reject) =>
    connection.relay(framePayload(encodeComQuery(sql), 0).bytes, ResponseShape.RESULT, sink, undefined, (error, ended) => (error ? reject(error) : resolve(ended))),
  );
  assert.equal(outcome?.failed, false);
}

function keepingSink(holds: boolean): ResponseSink & { slices: Buffer[] } {
  const slices: Buffer[] = [];
  return { slices, write: (bytes) => (slices.push(bytes), true), holdsWrittenBytes: () => holds, onDrain: (resume) => resume() };
}

/** The rows' payloads, from the relayed packet stream (column count, 2 definitions, rows, OK). */
function rowsOf(stream: Buffer): Array<[string, string]> {
  const payloads: Buffer[] = [];
  for (let offset = 0; offset < stream.length; ) {
    const length = stream.readUIntLE(offset, 3);
    payloads.push(stream.subarray(offset + 4, offset + 4 + length));
    offset += 4 + length;
  }
  return payloads.slice(3, -1).map((row) => decodeTextRow(row, 2).map((value) => value!.toString('latin1')) as [string, string]);
}

const expectedFiller = (i: number) => createHash('sha256').update(String(i)).digest('hex').repeat(ROW_BYTES / 64);

it('slices still held by the client side stay intact while later reads arrive', async () => {
  const sink = keepingSink(true);
  await relayRows(sink);
  assert.ok(sink.slices.length > 4, `the response took several reads (${sink.slices.length})`);
  const rows = rowsOf(Buffer.concat(sink.slices));
  assert.equal(rows.length, ROWS);
  rows.forEach(([i, filler], index) => {
    assert.equal(i, String(index + 1));
    assert.ok(filler === expectedFiller(index + 1), `row ${index + 1} intact`);
  });
});

it('reads into the same memory again once the client side has let go of it', async () => {
  const sink = keepingSink(false);
  await relayRows(sink);
  const memories = new Set(sink.slices.map((slice) => slice.buffer));
  assert.ok(memories.size < sink.slices.length, `${sink.slices.length} reads into ${memories.size} buffers`);
  // The next command on the connection works on the reused buffer.
  const response = await connection.query('SELECT 41 + 1');
  assert.equal(decodeTextRow(response.packets[2], 1)[0]?.toString(), '42');
});
