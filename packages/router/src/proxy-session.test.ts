import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { BackendConnection, BackendPool, BackendPools } from '@cathode/backend';
import { CommandByte, ServerStatus } from '@cathode/wire';
import { FLAVORS, type Flavor, clientFlags } from '../../frontend/src/testing/client-flavors.ts';
import { columnCountPayload, columnPayload, eofPayload, errPayload, okPayload, packets, textRowPayload } from '../../wire/src/testing/packet-builders.ts';
import type { RouterContext } from './router-context.ts';
import { FakeBackend, type FakeScript, deferred, error, ok, refusedPort, result } from './testing/fake-backend.ts';
import type { RawClient } from './testing/raw-client.ts';
import { errorOf } from './testing/raw-client.ts';
import { fanOutSql } from './testing/scripted-router.ts';
import { until } from './testing/until.ts';
import { type HarnessOptions, SessionHarness } from './testing/session-harness.ts';

const AUTOCOMMIT = ServerStatus.SERVER_STATUS_AUTOCOMMIT;
const IN_TRANSACTION = ServerStatus.SERVER_STATUS_IN_TRANS | ServerStatus.SERVER_STATUS_AUTOCOMMIT;

const login = (flavor: Flavor) => ({ capabilityFlags: clientFlags(flavor), mariaDbCapabilities: FLAVORS[flavor][1] });

/** Fake backends named b0, b1, ... (data nodes 0, 1, ...), each answering with `script(index)`, behind a harness. */
async function setUp(scripts: Array<FakeScript | undefined>, options: Omit<HarnessOptions, 'backends'> = {}) {
  const backends = await Promise.all(scripts.map((script, index) => FakeBackend.start(`b${index}`, script)));
  const harness = await SessionHarness.start({ ...options, backends: backends.map((backend) => ({ name: backend.name, port: backend.port })) });
  return {
    backends,
    harness,
    async [Symbol.asyncDispose]() {
      harness.stop();
      await Promise.all(backends.map((backend) => backend.stop()));
    },
  };
}

/** Each node answers `SELECT a, b FROM t` with two rows of its own, its columns named after its table t<node>. */
const twoRowsPerNode = (node: number): FakeScript => (command) =>
  command.text === 'SELECT a, b FROM t'
    ? result([{ name: 'a', table: `t${node}` }, { name: 'b', table: `t${node}` }], [[`${node}-1`, 'x'], [`${node}-2`, null]])
    : undefined;

const rowsOf = (node: number) => [textRowPayload(`${node}-1`, 'x'), textRowPayload(`${node}-2`, null)];

describe('fan-out to three data nodes', () => {
  for (const flavor of Object.keys(FLAVORS) as Flavor[]) {
    test(`the client gets the first target's column definitions, every target's rows in target order and one end packet, byte-exact (${flavor})`, async () => {
      await using setup = await setUp([twoRowsPerNode(0), twoRowsPerNode(1), twoRowsPerNode(2)]);
      const client = await setup.harness.connect(login(flavor));
      const response = await client.query(fanOutSql([2, 0, 1], 'SELECT a, b FROM t'));

      const [capabilities, mariaDbCapabilities] = FLAVORS[flavor];
      const deprecateEof = (capabilities & 0x1000000) !== 0;
      const cacheMetadata = (mariaDbCapabilities & 0x10) !== 0;
      const extended = (mariaDbCapabilities & 0x8) !== 0 ? { extended: Buffer.alloc(0) } : {};
      const expected = packets(
        1,
        columnCountPayload(2, cacheMetadata ? 1 : undefined),
        columnPayload('a', 0xfd, { table: 't2', ...extended }),
        columnPayload('b', 0xfd, { table: 't2', ...extended }),
        ...(deprecateEof ? [] : [eofPayload(AUTOCOMMIT)]),
        ...rowsOf(2),
        ...rowsOf(0),
        ...rowsOf(1),
        deprecateEof ? okPayload({ status: AUTOCOMMIT }, 0xfe) : eofPayload(AUTOCOMMIT),
      );
      assert.equal(response.toString('hex'), expected.toString('hex'));
      for (const backend of setup.backends) assert.deepEqual(backend.queries, ['SELECT a, b FROM t'], `${backend.name} ran the statement once`);
    });
  }

  test('OKs from three nodes answer as one OK: affected rows and warnings add up, the first insert id is kept', async () => {
    const answers = [ok({ affectedRows: 1, warnings: 1 }), ok({ affectedRows: 20, lastInsertId: 7 }), ok({ affectedRows: 300, lastInsertId: 9, warnings: 2 })];
    await using setup = await setUp(answers.map((answer) => (command) => (command.text.startsWith('UPDATE') ? answer : undefined)));
    const client = await setup.harness.connect(login('deprecateEof'));
    const response = await client.query(fanOutSql([0, 1, 2], 'UPDATE t SET a = a + 1'));
    assert.equal(response.toString('hex'), packets(1, okPayload({ affectedRows: 321, lastInsertId: 7, status: AUTOCOMMIT, warnings: 3 })).toString('hex'));
  });

  test('an ERR from the second target after the first target\'s rows ends the response in place of the end packet; the session stays usable', async () => {
    const secondAnswers = deferred();
    await using setup = await setUp([
      twoRowsPerNode(0),
      async (command) => {
        if (command.text !== 'SELECT a, b FROM t') return undefined;
        await secondAnswers.promise;
        return error(1146, '42S02', "Table 'shard1.t' doesn't exist");
      },
      twoRowsPerNode(2),
    ]);
    const client = await setup.harness.connect(login('plain'));
    client.send(Buffer.concat([Buffer.of(CommandByte.COM_QUERY), Buffer.from(fanOutSql([0, 1, 2], 'SELECT a, b FROM t'))]));
    // Column count, two definitions, EOF, two rows: the first target's part has reached the client.
    await client.when(() => client.pendingPackets >= 6);
    secondAnswers.resolve();
    const response = await client.response();
    const expected = packets(
      1,
      columnCountPayload(2),
      columnPayload('a', 0xfd, { table: 't0' }),
      columnPayload('b', 0xfd, { table: 't0' }),
      eofPayload(AUTOCOMMIT),
      ...rowsOf(0),
      errPayload(1146, '42S02', "Table 'shard1.t' doesn't exist"),
    );
    assert.equal(response.toString('hex'), expected.toString('hex'));

    assert.equal((await client.query('SELECT 1')).toString('hex'), packets(1, okPayload({ status: AUTOCOMMIT })).toString('hex'), 'the next statement is served');
    for (const [index, backend] of setup.backends.entries()) {
      const pool = setup.harness.poolOf(setup.harness.sessions[0], setup.harness.nodes[index]);
      assert.equal(pool.busyCount, 0, `${backend.name}'s connection went back to its pool`);
    }
  });

  test('a later target with far more rows than it may queue waits for its turn and loses none', async () => {
    const manyRows = Array.from({ length: 2_000 }, (_, index) => [`1-${index}`, 'y']);
    const firstAnswers = deferred();
    await using setup = await setUp([
      async (command) => {
        if (command.text !== 'SELECT a, b FROM t') return undefined;
        await firstAnswers.promise;
        return result([{ name: 'a', table: 't0' }, { name: 'b', table: 't0' }], [['0-1', 'x']]);
      },
      (command) => (command.text === 'SELECT a, b FROM t' ? result([{ name: 'a', table: 't1' }, { name: 'b', table: 't1' }], manyRows) : undefined),
    ]);
    const client = await setup.harness.connect(login('deprecateEof'));
    client.send(Buffer.concat([Buffer.of(CommandByte.COM_QUERY), Buffer.from(fanOutSql([0, 1], 'SELECT a, b FROM t'))]));
    // The second node has answered everything before the first answers anything.
    await setup.backends[1].when(() => setup.backends[1].queries.length === 1);
    await until(() => setup.backends[1].connections[0].socket.writableLength === 0);
    firstAnswers.resolve();
    const response = await client.response();
    const expected = packets(
      1,
      columnCountPayload(2),
      columnPayload('a', 0xfd, { table: 't0' }),
      columnPayload('b', 0xfd, { table: 't0' }),
      textRowPayload('0-1', 'x'),
      ...manyRows.map((row) => textRowPayload(...row)),
      okPayload({ status: AUTOCOMMIT }, 0xfe),
    );
    assert.equal(response.toString('hex'), expected.toString('hex'));
    assert.equal((await client.query('SELECT 1')).toString('hex'), packets(1, okPayload({ status: AUTOCOMMIT })).toString('hex'));
  });

  test('a node answering with a different column count gives an error, never a mixed result', async () => {
    await using setup = await setUp([
      twoRowsPerNode(0),
      (command) => (command.text === 'SELECT a, b FROM t' ? result(['only'], [['1-only']]) : undefined),
      twoRowsPerNode(2),
    ]);
    const client = await setup.harness.connect(login('deprecateEof'));
    const response = await client.query(fanOutSql([0, 1, 2], 'SELECT a, b FROM t'));
    const head = packets(1, columnCountPayload(2), columnPayload('a', 0xfd, { table: 't0' }), columnPayload('b', 0xfd, { table: 't0' }), ...rowsOf(0));
    assert.equal(response.subarray(0, head.length).toString('hex'), head.toString('hex'), 'the first node\'s rows may precede the error');
    const error = errorOf(response.subarray(head.length));
    assert.deepEqual([error.errno, error.sqlState], [1105, 'HY000']);
    assert.equal(response.length, head.length + 4 + response.readUIntLE(head.length, 3), 'the error ends the response');
    assert.ok(!response.includes(Buffer.from('1-only')) && !response.includes(Buffer.from('2-1')), 'no row of another node');
    assert.equal((await client.query('SELECT 1')).toString('hex'), packets(1, okPayload({ status: AUTOCOMMIT }, 0x00)).toString('hex'));
  });
});

/** A context whose pools record, for this session only, each connection it gets from a pool (by backend name). */
function recordingPools(acquired: string[]): (shared: RouterContext) => RouterContext {
  const record = (pool: BackendPool): BackendPool =>
    new Proxy(pool, {
      get(target, property) {
        if (property === 'tryAcquireIdle') {
          return (preferred?: BackendConnection) => {
            const connection = target.tryAcquireIdle(preferred);
            if (connection) acquired.push(target.endpoint.name);
            return connection;
          };
        }
        if (property === 'acquire') {
          return async (preferred?: BackendConnection, signal?: AbortSignal) => {
            const connection = await target.acquire(preferred, signal);
            acquired.push(target.endpoint.name);
            return connection;
          };
        }
        const value = Reflect.get(target, property, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  return (shared) => {
    const pools = { pool: (name: string, flavor: number, mariaDbFlavor?: number) => record(shared.pools.pool(name, flavor, mariaDbFlavor)) };
    return { ...shared, pools: pools as unknown as BackendPools };
  };
}

describe('ordered acquisition', () => {
  test('two sessions fanning out to the same nodes in opposite orders over one-connection pools always complete, each taking its connections in ascending node id', { timeout: 120_000 }, async () => {
    const rounds = 25;
    await using setup = await setUp([twoRowsPerNode(0), twoRowsPerNode(1), twoRowsPerNode(2)], { poolMax: 1 });
    const acquiredByA: string[] = [];
    const acquiredByB: string[] = [];
    const a = await setup.harness.connect(login('deprecateEof'), recordingPools(acquiredByA));
    const b = await setup.harness.connect(login('deprecateEof'), recordingPools(acquiredByB));
    const run = async (client: RawClient, order: number[]) => {
      const responses: Buffer[] = [];
      for (let round = 0; round < rounds; round++) responses.push(await client.query(fanOutSql(order, 'SELECT a, b FROM t')));
      return responses;
    };
    const [fromA, fromB] = await Promise.all([run(a, [2, 0, 1]), run(b, [1, 2, 0])]);

    const expected = (order: number[]) =>
      packets(
        1,
        columnCountPayload(2),
        columnPayload('a', 0xfd, { table: `t${order[0]}` }),
        columnPayload('b', 0xfd, { table: `t${order[0]}` }),
        ...order.flatMap(rowsOf),
        okPayload({ status: AUTOCOMMIT }, 0xfe),
      ).toString('hex');
    assert.ok(fromA.every((response) => response.toString('hex') === expected([2, 0, 1])), 'every response of A is whole and in its target order');
    assert.ok(fromB.every((response) => response.toString('hex') === expected([1, 2, 0])), 'every response of B is whole and in its target order');
    const ascending = Array.from({ length: rounds }, () => ['b0', 'b1', 'b2']).flat();
    assert.deepEqual(acquiredByA, ascending);
    assert.deepEqual(acquiredByB, ascending);
    for (const backend of setup.backends) assert.equal(backend.opened, 1, `${backend.name}: one connection served both sessions`);
  });

  test('all or nothing: when the third node cannot be reached, the connections already taken go back to their pools and the client gets one error', async () => {
    const backends = await Promise.all([FakeBackend.start('b0', twoRowsPerNode(0)), FakeBackend.start('b1', twoRowsPerNode(1))]);
    const harness = await SessionHarness.start({ backends: [...backends.map(({ name, port }) => ({ name, port })), { name: 'down', port: await refusedPort() }], poolMax: 1 });
    try {
      const client = await harness.connect(login('plain'));
      const response = await client.query(fanOutSql([2, 1, 0], 'SELECT a, b FROM t'));
      const failure = errorOf(response);
      assert.deepEqual([failure.errno, failure.sqlState], [1429, 'HY000']);
      assert.equal(response.length, 4 + response.readUIntLE(0, 3), 'one ERR packet is the whole response');
      assert.equal(response[3], 1, 'as the answer to the command');
      const session = harness.sessions[0];
      for (const node of harness.nodes.slice(0, 2)) {
        const pool = harness.poolOf(session, node);
        assert.deepEqual([pool.size, pool.idleCount, pool.waitingCount], [1, 1, 0], `${node.name}'s connection is idle in its pool`);
      }
      for (const backend of backends) assert.deepEqual(backend.queries, [], `${backend.name} ran nothing`);
      assert.equal((await client.query('SELECT 1')).toString('hex'), packets(1, okPayload({ status: AUTOCOMMIT })).toString('hex'), 'the session goes on');
    } finally {
      harness.stop();
      await Promise.all(backends.map((backend) => backend.stop()));
    }
  });
});

describe('a client that closes while its statement waits for a connection', () => {
  test('cancels its checkout: the busy connection goes back idle when its holder commits, no waiter is left and no connection leaks', async () => {
    await using setup = await setUp([undefined], { poolMax: 1 });
    const { harness, backends } = setup;
    const a = await harness.connect(login('plain'));
    const b = await harness.connect(login('plain'));
    assert.equal((await a.query('BEGIN')).toString('hex'), packets(1, okPayload({ status: IN_TRANSACTION })).toString('hex'));
    const pool = harness.poolOf(harness.sessions[0], harness.nodes[0]);
    assert.equal(harness.poolOf(harness.sessions[1], harness.nodes[0]), pool, 'both sessions share the pool');

    b.send(Buffer.concat([Buffer.of(CommandByte.COM_QUERY), Buffer.from("SELECT 'b'")]));
    await until(() => pool.waitingCount === 1);
    b.destroy();
    await until(() => harness.sessions[1].connection.closed);
    assert.equal(pool.waitingCount, 0, 'the closed session left the queue at once');

    assert.equal((await a.query('COMMIT')).toString('hex'), packets(1, okPayload({ status: AUTOCOMMIT })).toString('hex'));
    assert.deepEqual([pool.size, pool.idleCount, pool.waitingCount], [1, 1, 0], 'the connection is idle in the pool');
    assert.deepEqual([backends[0].opened, backends[0].openConnections], [1, 1], 'no connection was opened for, or leaked by, the closed session');
    assert.ok(!backends[0].queries.includes("SELECT 'b'"), "the closed session's statement never ran");
    assert.equal((await a.query('SELECT 1')).toString('hex'), packets(1, okPayload({ status: AUTOCOMMIT })).toString('hex'));
  });
});

describe('a lost backend connection', () => {
  test('regression: losing the connection that holds a transaction ends the session with 1927 instead of running the next statement in autocommit', async () => {
    await using setup = await setUp([
      (command, connection) => {
        if (command.text !== 'BEGIN') return undefined;
        connection.statusFlags = IN_TRANSACTION;
        return ok({ thenClose: true });
      },
    ]);
    const { harness, backends } = setup;
    const client = await harness.connect(login('plain'));
    assert.equal((await client.query('BEGIN')).toString('hex'), packets(1, okPayload({ status: IN_TRANSACTION })).toString('hex'));
    const pool = harness.poolOf(harness.sessions[0], harness.nodes[0]);
    await until(() => pool.size === 0);

    const failure = errorOf(await client.query('INSERT INTO t VALUES (2)'));
    assert.deepEqual([failure.errno, failure.sqlState], [1927, '70100']);
    await client.closedByServer();
    assert.deepEqual(backends[0].queries, ['BEGIN'], 'the INSERT never reached a backend');
    assert.equal(backends[0].opened, 1);
  });

  test('outside a transaction, a connection lost mid-statement gives 1317 and the session carries on with a new backend connection', async () => {
    await using setup = await setUp([(command) => (command.text === "SELECT 'boom'" ? { kind: 'close' } : undefined)]);
    const { harness, backends } = setup;
    const client = await harness.connect(login('deprecateEof'));
    const failure = errorOf(await client.query("SELECT 'boom'"));
    assert.deepEqual([failure.errno, failure.sqlState], [1317, '70100']);
    assert.equal((await client.query('SELECT 1')).toString('hex'), packets(1, okPayload({ status: AUTOCOMMIT })).toString('hex'));
    assert.equal(client.closed, false);
    assert.deepEqual([backends[0].opened, backends[0].openConnections], [2, 1]);
    assert.deepEqual(backends[0].queries, ["SELECT 'boom'", 'SELECT 1']);
  });
});

describe('state the lexer cannot account for', () => {
  test('a connection that ran a CALL is reset before another session gets it', async () => {
    await using setup = await setUp([undefined], { poolMax: 1 });
    const { harness, backends } = setup;
    const a = await harness.connect(login('plain'));
    const b = await harness.connect(login('plain'));
    await a.query('CALL p()');
    await b.query('SELECT 1');
    const sequence = backends[0].log.map((command) => `${command.name} ${command.text}`.trim());
    const call = sequence.indexOf('COM_QUERY CALL p()');
    const select = sequence.indexOf('COM_QUERY SELECT 1');
    assert.ok(sequence.slice(call + 1, select).includes('COM_RESET_CONNECTION'), `reset between the CALL and the next session's statement: ${sequence.join(', ')}`);
  });
});

describe('LOAD DATA LOCAL INFILE', () => {
  test('regression: a backend may ask the client for a file only for LOAD DATA LOCAL: another statement\'s request is refused and never reaches the client', async () => {
    const fileRequest = Buffer.concat([Buffer.of(0xfb), Buffer.from('/etc/passwd')]);
    await using setup = await setUp([(command) => (command.text === 'SELECT 1' ? { kind: 'raw', payloads: [fileRequest] } : undefined)]);
    const client = await setup.harness.connect(login('plain'));
    const failure = errorOf(await client.query('SELECT 1'));
    assert.deepEqual([failure.errno, failure.sqlState], [1317, '70100']);
    // The session goes on, on a new backend connection (the one that asked was dropped).
    assert.equal((await client.query('SELECT 2')).toString('hex'), packets(1, okPayload({ status: AUTOCOMMIT })).toString('hex'));
    assert.equal(setup.backends[0].opened, 2);
  });
});
