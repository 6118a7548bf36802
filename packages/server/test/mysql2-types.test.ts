import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type mysql from 'mysql2/promise';
import { ResponseShape, decodeColumnDefinition, decodeTextRow, encodeComQuery } from '@cathode/wire';
import { connectDirect, using } from './support/direct.ts';
import { type TestCathode, startTestCathode } from './support/harness.ts';
import { RawClient } from './support/raw-client.ts';

// Every common column type, at its extremes and as NULL, read through Cathode and directly from
// MariaDB: the two must be indistinguishable, in both protocols (text rows and binary rows).

let cathode: TestCathode;

const COLUMNS = `
  id INT PRIMARY KEY,
  ti TINYINT, tiu TINYINT UNSIGNED, si SMALLINT, siu SMALLINT UNSIGNED, mi MEDIUMINT, miu MEDIUMINT UNSIGNED,
  i INT, iu INT UNSIGNED, bi BIGINT, biu BIGINT UNSIGNED,
  de DECIMAL(65,30), f FLOAT, db DOUBLE,
  dt DATE, dtm DATETIME(6), ts TIMESTAMP(6) NULL DEFAULT NULL, tm TIME(6), yr YEAR,
  ch CHAR(10), vc VARCHAR(100), tx TEXT, bl BLOB, js JSON, en ENUM('a','b','c'), st SET('x','y','z'), b1 BIT(1), b64 BIT(64)`;

const ROWS = [
  `(1, -128, 0, -32768, 0, -8388608, 0, -2147483648, 0, -9223372036854775808, 0,
    '-99999999999999999999999999999999999.999999999999999999999999999999', -3.40282e38, -1.7976931348623157e308,
    '1000-01-01', '1000-01-01 00:00:00.000000', '1970-01-02 00:00:01.000000', '-838:59:59.000000', 1901,
    '', '', '', '', '[]', 'a', '', b'0', b'0')`,
  `(2, 127, 255, 32767, 65535, 8388607, 16777215, 2147483647, 4294967295, 9223372036854775807, 18446744073709551615,
    '99999999999999999999999999999999999.999999999999999999999999999999', 3.40282e38, 1.7976931348623157e308,
    '9999-12-31', '9999-12-31 23:59:59.999999', '2038-01-18 03:14:07.999999', '838:59:59.000000', 2155,
    'ab', 'héllo 😀 世界 🏳️‍🌈 ''q'' \\\\ "d"', 'line1\\nline2\\ttab \\\\ ''quote'' 😀', X'00FF7F80DEADBEEF0D0A5C27', '{"k": [1, 2.5, "ü😀", null, true]}',
    'c', 'x,z', b'1', b'1111111111111111111111111111111111111111111111111111111111111111')`,
  `(3, -1, 1, -1, 1, -1, 1, -1, 1, -1, 1, '0.000000000000000000000000000001', 1.5, 2.2250738585072014e-308,
    '2024-02-29', '2024-02-29 12:34:56.789012', '2001-02-03 04:05:06.789012', '-01:02:03.500000', 2000,
    'ünï', 'x', REPEAT('long text ', 1000), REPEAT(X'00FF', 3000), '{"nested": {"a": "b"}}', 'b', 'x,y,z', b'1', b'1010')`,
  '(4, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)',
  `(5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, '0', 0, 0, '2000-01-01', '2000-01-01 00:00:00', '2000-01-01 00:00:00', '100:00:00.000001', 1999,
    'z', '日本語テキスト', '', X'', '{}', 'a', 'y', b'0', b'0')`,
];

before(async () => {
  cathode = await startTestCathode();
  await using(connectDirect(cathode), async (direct) => {
    await direct.query(`CREATE TABLE types (${COLUMNS}) DEFAULT CHARSET=utf8mb4`);
    await direct.query(`CREATE TABLE via_cathode (${COLUMNS}) DEFAULT CHARSET=utf8mb4`);
    await direct.query(`CREATE TABLE via_direct (${COLUMNS}) DEFAULT CHARSET=utf8mb4`);
    await direct.query(`INSERT INTO types VALUES ${ROWS.join(',\n')}`);
  });
});
after(() => cathode.close());

/** What a client can learn about a column from its definition packet. */
function describeFields(fields: mysql.FieldPacket[] | undefined): unknown[] {
  return (fields ?? []).map((field) => {
    const f = field as mysql.FieldPacket & { columnType?: number; extendedTypeName?: string; extendedFormat?: string };
    return {
      extendedType: f.extendedTypeName,
      extendedFormat: f.extendedFormat,
      name: f.name,
      orgName: f.orgName,
      table: f.table,
      orgTable: f.orgTable,
      db: f.db,
      type: f.columnType ?? f.type,
      flags: f.flags,
      decimals: f.decimals,
      characterSet: f.characterSet,
      columnLength: f.columnLength,
    };
  });
}

/** Same options both ways: typed values as applications see them, and exact strings for numbers and dates. */
const MODES: Array<{ label: string; options: mysql.ConnectionOptions }> = [
  { label: 'default type casting', options: {} },
  { label: 'exact strings', options: { supportBigNumbers: true, bigNumberStrings: true, dateStrings: true, decimalNumbers: false } },
];

async function bothWays<T>(options: mysql.ConnectionOptions, fn: (connection: mysql.Connection) => Promise<T>): Promise<{ proxied: T; direct: T }> {
  const proxied = await using(cathode.connect(options), fn);
  const direct = await using(connectDirect(cathode, options), fn);
  return { proxied, direct };
}

for (const { label, options } of MODES) {
  test(`query (text protocol) returns every column type exactly as MariaDB does (${label})`, async () => {
    const { proxied, direct } = await bothWays(options, async (connection) => {
      const [rows, fields] = await connection.query('SELECT * FROM types ORDER BY id');
      return { rows, fields: describeFields(fields) };
    });
    assert.equal((direct.rows as unknown[]).length, ROWS.length);
    assert.deepStrictEqual(proxied.fields, direct.fields);
    assert.deepStrictEqual(proxied.rows, direct.rows);
  });

  test(`execute (binary protocol) returns every column type exactly as MariaDB does (${label})`, async () => {
    const { proxied, direct } = await bothWays(options, async (connection) => {
      const [rows, fields] = await connection.execute('SELECT * FROM types WHERE id >= ? ORDER BY id', [1]);
      return { rows, fields: describeFields(fields) };
    });
    assert.equal((direct.rows as unknown[]).length, ROWS.length);
    assert.deepStrictEqual(proxied.fields, direct.fields);
    assert.deepStrictEqual(proxied.rows, direct.rows);
  });
}

test('raw text rows (typeCast off) are byte-identical to MariaDB', async () => {
  const { proxied, direct } = await bothWays({ typeCast: false, rowsAsArray: true }, async (connection) => {
    const [rows] = await connection.query('SELECT * FROM types ORDER BY id');
    return rows;
  });
  assert.deepStrictEqual(proxied, direct);
  const nullRow = (direct as unknown[][])[3];
  assert.deepStrictEqual(nullRow.slice(1), new Array(nullRow.length - 1).fill(null));
});

test('values spot-checked: extremes, emoji and NULLs arrive intact through Cathode', async () => {
  await using(cathode.connect({ supportBigNumbers: true, bigNumberStrings: true, dateStrings: true }), async (connection) => {
    for (const run of [(sql: string) => connection.query(sql), (sql: string) => connection.execute(sql)]) {
      const [rows] = (await run('SELECT bi, biu, de, vc, bl, b64, dtm FROM types WHERE id IN (2, 4) ORDER BY id')) as [mysql.RowDataPacket[], unknown];
      assert.equal(rows[0].bi, '9223372036854775807');
      assert.equal(rows[0].biu, '18446744073709551615');
      assert.equal(rows[0].de, '99999999999999999999999999999999999.999999999999999999999999999999');
      assert.equal(rows[0].vc, 'héllo 😀 世界 🏳️‍🌈 \'q\' \\ "d"');
      assert.deepEqual(rows[0].bl, Buffer.from('00FF7F80DEADBEEF0D0A5C27', 'hex'));
      assert.deepEqual(rows[0].b64, Buffer.alloc(8, 0xff));
      assert.equal(rows[0].dtm, '9999-12-31 23:59:59.999999');
      assert.deepEqual(Object.values(rows[1]), new Array(7).fill(null));
    }
  });
});

test('negative and over-24h TIME values survive both protocols', async () => {
  const sql = "SELECT CAST('-838:59:59' AS TIME) AS lo, CAST('838:59:59.999999' AS TIME(6)) AS hi, CAST('-00:00:01.5' AS TIME(1)) AS neg, CAST('25:00:00' AS TIME) AS day";
  const { proxied, direct } = await bothWays({ dateStrings: true }, async (connection) => {
    const [queried] = await connection.query(sql);
    const [executed] = await connection.execute(sql);
    return { queried, executed };
  });
  assert.deepStrictEqual(proxied, direct);
  assert.deepStrictEqual((direct.queried as mysql.RowDataPacket[])[0], { lo: '-838:59:59', hi: '838:59:59.999999', neg: '-00:00:01.5', day: '25:00:00' });
});

test('execute with parameters of every type stores the same values as it does directly', async () => {
  const params: unknown[][] = [
    [1, -128, 255, -32768, 65535, -8388608, 16777215, -2147483648, 4294967295, '-9223372036854775808', '18446744073709551615',
      '-12345678901234567890.123456789', 1.5, -1.7976931348623157e308, '1000-01-01', '9999-12-31 23:59:59.999999', '2038-01-18 03:14:07.999999',
      '-838:59:59', 1901, 'ab', 'héllo 😀 世界', 'x'.repeat(70_000).slice(0, 65_000), Buffer.from([0, 1, 2, 0xfe, 0xff]), '{"a": "😀"}', 'c', 'x,y', Buffer.of(1), Buffer.alloc(8, 0xff)],
    [2, ...new Array(27).fill(null)],
    [3, 0, 0, 0, 0, 0, 0, 0, 0, 0n, 0n, 0, 0, 0, new Date(Date.UTC(2024, 1, 29)), new Date(Date.UTC(2024, 1, 29, 12, 34, 56, 789)),
      new Date(Date.UTC(2001, 1, 3, 4, 5, 6)), '100:00:00', 2000, '', '', '', Buffer.alloc(0), '[]', 'a', '', Buffer.of(0), Buffer.alloc(8)],
  ];
  const placeholders = `(${new Array(28).fill('?').join(', ')})`;
  const insertAll = async (connection: mysql.Connection, table: string) => {
    for (const values of params) await connection.execute(`INSERT INTO ${table} VALUES ${placeholders}`, values as never);
  };
  await using(cathode.connect({ timezone: 'Z' }), (connection) => insertAll(connection, 'via_cathode'));
  await using(connectDirect(cathode, { timezone: 'Z' }), (connection) => insertAll(connection, 'via_direct'));
  await using(connectDirect(cathode, { typeCast: false, rowsAsArray: true }), async (direct) => {
    const [stored] = await direct.query('SELECT * FROM via_cathode ORDER BY id');
    const [expected] = await direct.query('SELECT * FROM via_direct ORDER BY id');
    assert.equal((expected as unknown[]).length, params.length);
    assert.deepStrictEqual(stored, expected);
  });
});

test('JSON columns reach mysql2 as JSON (MariaDB extended metadata), parsed like on a direct connection', async () => {
  // Before: Cathode offered no MariaDB extended capabilities, so mysql2 got JSON columns as plain text.
  const read = async (connection: mysql.Connection) => {
    const [queried, fields] = await connection.query<mysql.RowDataPacket[]>('SELECT js FROM types WHERE id = 2');
    const [executed] = await connection.execute<mysql.RowDataPacket[]>('SELECT js FROM types WHERE id = ?', [2]);
    return { queried: queried[0].js, executed: executed[0].js, format: (fields[0] as { extendedFormat?: string }).extendedFormat };
  };
  const proxied = await using(cathode.connect(), read);
  assert.deepStrictEqual(proxied, await using(connectDirect(cathode), read));
  assert.deepStrictEqual(proxied.queried, { k: [1, 2.5, 'ü😀', null, true] });
  assert.equal(proxied.format, 'json');
});

test('clients without extended metadata keep plain column definitions, alternating with clients that have it', async () => {
  for (let i = 0; i < 3; i++) {
    const raw = await RawClient.connect({ port: cathode.port, user: 'cathode', password: 'cathode', database: cathode.schema });
    try {
      const response = await raw.command(encodeComQuery('SELECT js, vc FROM types WHERE id = 2'), ResponseShape.RESULT);
      assert.equal(RawClient.errorOf(response), undefined);
      const columns = [decodeColumnDefinition(response[1]), decodeColumnDefinition(response[2])];
      assert.deepEqual(columns.map((column) => column.name), ['js', 'vc']);
      const row = decodeTextRow(response[4], 2).map((value) => value?.toString('utf8'));
      assert.deepEqual(row, ['{"k": [1, 2.5, "ü😀", null, true]}', 'héllo 😀 世界 🏳️‍🌈 \'q\' \\ "d"']);
    } finally {
      raw.close();
    }
    await using(cathode.connect(), async (connection) => {
      const [rows] = await connection.query<mysql.RowDataPacket[]>('SELECT js FROM types WHERE id = 2');
      assert.deepStrictEqual(rows[0].js, { k: [1, 2.5, 'ü😀', null, true] });
    });
  }
});
