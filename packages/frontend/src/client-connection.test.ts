import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { Duplex } from 'node:stream';
import { after, before, test } from 'node:test';
import tls from 'node:tls';
import { makeTestCertificates } from '@cathode/testkit';
import { type LogicalPacket, framePayload } from '@cathode/wire';
import { ClientConnection } from './client-connection.ts';

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
