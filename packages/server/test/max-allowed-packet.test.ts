import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type mysql from 'mysql2/promise';
import { using } from './support/direct.ts';
import { type TestCathode, startTestCathode } from './support/harness.ts';

// MariaDB gives a session the global max_allowed_packet of the moment it connected (read-only per
// session): pooled backend connections must not keep showing new clients an outdated value.

let cathode: TestCathode;
let original = 0;
type Row = mysql.RowDataPacket;

before(async () => {
  // Idle sweeps (which also look at the backend's settings) every 100 ms.
  cathode = await startTestCathode({ reactors: 1, timeouts: { backendIdleMs: 400 } });
  const [row] = (await cathode.direct('SELECT @@global.max_allowed_packet AS value')) as Row[];
  original = Number(row.value);
});
after(async () => {
  await cathode.direct(`SET GLOBAL max_allowed_packet = ${original}`);
  await cathode.close();
});

async function sessionValue(): Promise<number> {
  return using(cathode.connect(), async (connection) => {
    const [[row]] = await connection.query<Row[]>('SELECT @@max_allowed_packet AS value');
    return Number(row.value);
  });
}

test('regression: after SET GLOBAL max_allowed_packet, new clients see the new value, not the pooled connections\' start-up one', async () => {
  assert.equal(await sessionValue(), original);
  const changed = original === 32 * 1024 * 1024 ? 48 * 1024 * 1024 : 32 * 1024 * 1024;
  await cathode.direct(`SET GLOBAL max_allowed_packet = ${changed}`);
  // Until the pool notices (its next idle sweep), the old connections may still serve; then never again.
  let seen = await sessionValue();
  for (let attempt = 0; seen !== changed && attempt < 5_000; attempt++) seen = await sessionValue();
  assert.equal(seen, changed);
  for (let i = 0; i < 20; i++) assert.equal(await sessionValue(), changed);
});
