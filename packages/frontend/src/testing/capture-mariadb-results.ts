// Records how a real MariaDB answers the statements result-writer-mariadb.test.ts compares against,
// for each client flavor, and prints them as the fixture module mariadb-result-fixtures.ts:
//   node packages/frontend/src/testing/capture-mariadb-results.ts > packages/frontend/src/testing/mariadb-result-fixtures.ts
// Run once by hand (it starts a throwaway mariadbd through the testkit); not part of the suite.
import { execFileSync } from 'node:child_process';
import net from 'node:net';
import { findMariaDbd, startMariaDb } from '@cathode/testkit';
import {
  CapabilityFlags,
  type LogicalPacket,
  MYSQL_NATIVE_PASSWORD,
  MariaDbCapabilityFlags,
  PacketFramer,
  ResponseScanner,
  ResponseShape,
  decodeHandshakeV10,
  encodeComQuery,
  encodeComStmtPrepare,
  encodeHandshakeResponse41,
  framePayload,
  nativePasswordResponse,
} from '@cathode/wire';
import { FLAVORS, type Flavor, clientFlags } from './client-flavors.ts';

const TABLE = `CREATE TABLE t (id INT NOT NULL PRIMARY KEY AUTO_INCREMENT, u BIGINT UNSIGNED, d DECIMAL(10,2), dt DATETIME(6), tm TIME,
  dbl DOUBLE, f FLOAT, dt0 DATETIME, da DATE, tm0 TIME, s VARCHAR(20), j JSON, n INT)`;
const ROW = `INSERT INTO t VALUES (7, 18446744073709551615, -12.50, '2024-02-29 23:59:59.000001', '-838:59:59',
  2.5, 3.14, '2024-01-02 00:00:00', '2024-01-02', '00:00:00', 'abc', '{"a":1}', NULL)`;

class Client {
  private readonly framer = new PacketFramer();
  private readonly packets: LogicalPacket[] = [];
  private wake: (() => void) | undefined;
  private readonly socket: net.Socket;

  constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.framer.push(chunk);
      for (let packet = this.framer.next(); packet; packet = this.framer.next()) this.packets.push(packet);
      this.wake?.();
    });
  }

  async next(): Promise<LogicalPacket> {
    while (this.packets.length === 0) await new Promise<void>((resolve) => (this.wake = resolve));
    return this.packets.shift() as LogicalPacket;
  }

  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** Sends a command and returns its response's payloads as hex; sequence ids must run 1, 2, 3... */
  async command(payload: Buffer, shape: ResponseShape, deprecateEof: boolean, cacheMetadata: boolean): Promise<string[]> {
    this.write(framePayload(payload, 0).bytes);
    const scanner = new ResponseScanner(shape, deprecateEof, cacheMetadata);
    const out: string[] = [];
    for (;;) {
      const packet = await this.next();
      if (packet.sequenceId !== out.length + 1) throw new Error(`sequence id ${packet.sequenceId} after ${out.length} packets`);
      out.push(packet.payload.toString('hex'));
      if (scanner.packet(packet.payload, packet.payload.length)) return out;
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

async function connect(port: number, flavor: Flavor, database: string): Promise<Client> {
  const mariaDbCapabilities = FLAVORS[flavor][1];
  const socket = net.connect({ host: '127.0.0.1', port });
  const client = new Client(socket);
  const greeting = decodeHandshakeV10((await client.next()).payload);
  const response = encodeHandshakeResponse41({
    capabilityFlags: clientFlags(flavor),
    maxPacketSize: 1 << 24,
    characterSet: 45,
    mariaDbCapabilities,
    username: 'root',
    authResponse: nativePasswordResponse('', greeting.authPluginData),
    database,
    authPluginName: MYSQL_NATIVE_PASSWORD,
    connectAttributes: undefined,
  });
  client.write(framePayload(response, 1).bytes);
  const ok = await client.next();
  if (ok.payload[0] !== 0) throw new Error(`login failed: ${ok.payload.toString('hex')}`);
  return client;
}

const server = await startMariaDb();
try {
  const setup = await connect(server.port, 'plain', '');
  for (const sql of ['CREATE DATABASE cap', 'USE cap', TABLE, ROW, 'CREATE TABLE seq (id INT NOT NULL PRIMARY KEY AUTO_INCREMENT)']) {
    await setup.command(encodeComQuery(sql), ResponseShape.RESULT, false, false);
  }
  setup.close();
  const fixtures: Record<string, Record<string, string[]>> = {};
  for (const [flavor, [capabilities, mariaDbCapabilities]] of Object.entries(FLAVORS)) {
    const client = await connect(server.port, flavor as Flavor, 'cap');
    const deprecateEof = (capabilities & CapabilityFlags.CLIENT_DEPRECATE_EOF) !== 0;
    const cacheMetadata = (mariaDbCapabilities & MariaDbCapabilityFlags.MARIADB_CLIENT_CACHE_METADATA) !== 0;
    const query = (sql: string) => client.command(encodeComQuery(sql), ResponseShape.RESULT, deprecateEof, cacheMetadata);
    const responses: Record<string, string[]> = (fixtures[flavor] = {});
    await query('INSERT INTO seq VALUES (), (), ()');
    for (const sql of ['SELECT LAST_INSERT_ID()', 'SELECT FOUND_ROWS()', 'SELECT ROW_COUNT()', 'SELECT CONNECTION_ID()', 'SELECT last_insert_id() AS id', 'SELECT * FROM t', 'SELECT * FROM t WHERE id = 0', 'SELECT 1; SELECT 2']) {
      responses[sql] = await query(sql);
    }
    for (const sql of ['SELECT * FROM t', 'SELECT LAST_INSERT_ID()']) {
      const prepared = await client.command(encodeComStmtPrepare(sql), ResponseShape.PREPARE, deprecateEof, cacheMetadata);
      const execute = Buffer.alloc(10);
      execute[0] = 0x17;
      Buffer.from(prepared[0], 'hex').copy(execute, 1, 1, 5);
      execute.writeUInt32LE(1, 6);
      responses[`EXECUTE ${sql}`] = await client.command(execute, ResponseShape.BINARY_RESULT, deprecateEof, cacheMetadata);
    }
    client.close();
  }
  const version = execFileSync(findMariaDbd() ?? 'mariadbd', ['--version']).toString().trim().replace(/^\S*\//, '').replace(/\s+/g, ' ');
  const lines = [
    `// Generated by capture-mariadb-results.ts from ${version}:`,
    '// each response as the payloads MariaDB sent (sequence ids 1, 2, 3...), in hex. Do not edit by hand.',
    `export const TYPES_TABLE = ${JSON.stringify(TABLE.replace(/\s+/g, ' '))};`,
    `export const TYPES_ROW = ${JSON.stringify(ROW.replace(/\s+/g, ' '))};`,
    `export const mariaDbResponses: Record<string, Record<string, string[]>> = ${JSON.stringify(fixtures, null, 2)};`,
    '',
  ];
  process.stdout.write(lines.join('\n'));
} finally {
  await server.stop();
}
