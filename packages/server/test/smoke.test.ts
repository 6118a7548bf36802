import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type TestCathode, startTestCathode } from './support/harness.ts';

let cathode: TestCathode;
before(async () => {
  cathode = await startTestCathode();
});
after(() => cathode.close());

test('mysql2 query and execute reach MariaDB through Cathode', async () => {
  const connection = await cathode.connect();
  try {
    const [rows] = await connection.query('SELECT DATABASE() AS db, 1 + 1 AS two');
    assert.deepEqual(rows, [{ db: cathode.schema, two: 2 }]);
    const [executed] = await connection.execute('SELECT ? * 2 AS doubled', [21]);
    assert.deepEqual(executed, [{ doubled: 42 }]);
  } finally {
    await connection.end();
  }
});
