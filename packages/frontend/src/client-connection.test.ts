import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { Duplex } from 'node:stream';
import { after, before, test } from 'node:test';
import tls from 'node:tls';
import { makeTestCertificates } from '@cathode/testkit';
import { type LogicalPacket, compressFrames, framePayload } from '@cathode/wire';
import { ClientConnection, QUEUED_INPUT_LIMIT } from './client-connection.ts';

let server: net.Server;
let accepted: (socket: net.Socket) => void = () => {};

before(async () => {
  // Paused on connect, as the acceptor hands sockets to reactors: nothing read yet.
  server = net.createServer({ pauseOnConnect: true }, (socket) => accepted(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});
after(() => server.close());

async function connectPair(): Promise<{ client: net.Socket; connection: ClientConnection }> {
  const arrived = new Promise<net.Socket>((resolve) => {
    accepted = resolve;
  });
  const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  const connection = new ClientConnection(await arrived, 1, 64 * 1024 * 1024);
  return { client, connection };
}

function payloadOf(index: number, length: number): Buffer {
  return Buffer.alloc(length, `packet ${index};`);
}

test('a fresh socket reads into slabs, and packets kept across later reads keep their bytes', async () => {
  const { client, connection } = await connectPair();
  assert.equal(connection.readsIntoSlabs, true);
  const count = 400;
  const lengths = Array.from({ length: count }, (_, index) => (index % 7 === 0 ? 20_000 : 1 + ((index * 37) % 900)));
  const kept: LogicalPacket[] = [];
  const all = new Promise<void>((resolve) => {
    connection.serveCommands({
      command(packet) {
        kept.push(packet);
        // Answered later, so more reads land while the packet is held.
        setImmediate(() => connection.commandDone());
        if (kept.length === count) resolve();
      },
      failed(error) {
        throw error;
      },
    });
  });
  // Several megabytes in odd pieces: many slabs, packets cut at every kind of boundary.
  const stream = Buffer.concat(lengths.map((length, index) => framePayload(payloadOf(index, length), 0).bytes));
  for (let offset = 0; offset < stream.length; offset += 4093) client.write(stream.subarray(offset, offset + 4093));
  await all;
  kept.forEach((packet, index) => assert.ok(packet.payload.equals(payloadOf(index, lengths[index])), `packet ${index} changed after it was read`));
  client.destroy();
  connection.close('test over');
});

test('TLS starts over bytes already read: the SSL request and the ClientHello in one write', { timeout: 30_000 }, async () => {
  const certs = await makeTestCertificates();
  after(() => rmSync(certs.dir, { recursive: true, force: true }));
  const secureContext = tls.createSecureContext({ cert: readFileSync(certs.certPath), key: readFileSync(certs.keyPath) });
  const { client, connection } = await connectPair();
  // TLS's first flight goes out in the same write as the (stand-in) SSL request packet.
  const sslRequest = framePayload(Buffer.from('ssl request'), 1).bytes;
  let first = true;
  const bridge = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, callback) {
      client.write(first ? Buffer.concat([sslRequest, chunk]) : chunk, callback);
      first = false;
    },
  });
  client.on('data', (chunk: Buffer) => bridge.push(chunk));
  const secure = tls.connect({ socket: bridge as unknown as net.Socket, ca: certs.caCert, servername: 'localhost' });
  const clientSecure = new Promise<void>((resolve, reject) => {
    secure.once('secureConnect', resolve);
    secure.once('error', reject);
  });

  assert.equal((await connection.nextPacket()).payload.toString(), 'ssl request');
  await Promise.all([connection.upgradeToTls(secureContext), clientSecure]);
  secure.write(framePayload(Buffer.from('over tls'), 2).bytes);
  assert.equal((await connection.nextPacket()).payload.toString(), 'over tls');
  connection.writePacket(Buffer.from('reply'));
  const reply = await new Promise<Buffer>((resolve) => secure.once('data', resolve));
  assert.equal(reply.subarray(4).toString(), 'reply');
  secure.destroy();
  connection.close('test over');
});

/** Resolves once `condition` holds, checking after each turn of the event loop (a condition wait, not a sleep). */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}

/** Serves commands, holding each until `release` is called; resolves `all` once `count` arrived. */
function heldCommands(connection: ClientConnection, count: number) {
  const received: LogicalPacket[] = [];
  let resolveAll: () => void = () => {};
  const all = new Promise<void>((resolve) => {
    resolveAll = resolve;
  });
  connection.serveCommands({
    command(packet) {
      received.push(packet);
      if (received.length === count) resolveAll();
    },
    failed(error) {
      throw error;
    },
  });
  return { received, all, releaseAll: () => setImmediate(function next() {
    if (!connection.busy) return;
    connection.commandDone();
    if (received.length < count || connection.busy) setImmediate(next);
  }) };
}

test('regression: pipelined 512 KiB commands behind a running one are read only up to the input limit, then all served in order', async () => {
  const { client, connection } = await connectPair();
  const count = 40;
  const length = 512 * 1024;
  const served = heldCommands(connection, count);
  client.write(Buffer.concat(Array.from({ length: count }, (_, index) => framePayload(payloadOf(index, length), 0).bytes)));
  await until(() => connection.readingPaused);
  assert.ok(connection.waitingInputBytes <= QUEUED_INPUT_LIMIT + length, `${connection.waitingInputBytes} bytes waiting`);
  assert.equal(served.received.length, 1, 'the first command is still running');
  served.releaseAll();
  await served.all;
  served.received.forEach((packet, index) => assert.ok(packet.payload.equals(payloadOf(index, length)), `packet ${index} intact and in order`));
  client.destroy();
  connection.close('test over');
});

test('regression: a compressed flood (1 MiB of zeros per packet, ~1 KiB on the wire) is decompressed only as commands are served', async () => {
  const { client, connection } = await connectPair();
  connection.enableCompression(64 * 1024 * 1024);
  const count = 64;
  const length = 1024 * 1024;
  const served = heldCommands(connection, count);
  let sequenceId = 0;
  const frames = Array.from({ length: count }, () => {
    const frame = compressFrames(framePayload(Buffer.alloc(length), 0).bytes, sequenceId);
    sequenceId = frame.nextSequenceId;
    return frame.bytes;
  });
  const wire = Buffer.concat(frames);
  assert.ok(wire.length < count * length / 100, 'the flood is small on the wire');
  client.write(wire);
  await until(() => connection.readingPaused);
  assert.ok(connection.waitingInputBytes <= QUEUED_INPUT_LIMIT + length, `${connection.waitingInputBytes} bytes waiting`);
  served.releaseAll();
  await served.all;
  assert.equal(served.received.length, count);
  assert.ok(served.received.every((packet) => packet.payload.length === length));
  client.destroy();
  connection.close('test over');
});
