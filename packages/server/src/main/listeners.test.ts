import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { Listeners } from './listeners.ts';
import { StartupError } from './startup-error.ts';

const spec = (configPath: string, port = 0) => ({ configPath, host: '127.0.0.1', port, backlog: 16, kind: 'proxy' as const });

function connectTo(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

test('connections that arrive while Cathode starts wait, then go to the acceptor with their listener\'s kind, from every port', async () => {
  const listeners = await Listeners.bind([spec('listen'), spec('other')], (error) => assert.fail(error));
  const ports = ['listen', 'other'].map((name) => listeners.addressOf(name)!);
  const clients = await Promise.all(ports.map(({ port }) => connectTo(port)));
  const accepted: Array<{ port: number; kind: string }> = [];
  const all = new Promise<void>((resolve) => {
    listeners.serve((socket, kind) => {
      accepted.push({ port: socket.localPort!, kind });
      socket.destroy();
      if (accepted.length === 2) resolve();
    });
  });
  await all;
  assert.deepEqual(accepted.map((a) => a.port).sort(), ports.map((p) => p.port).sort());
  assert.ok(accepted.every((a) => a.kind === 'proxy'));
  for (const client of clients) client.destroy();
  listeners.close();
});

test('a port in use fails start-up with one line naming the listener, and releases the ports already bound', async () => {
  const taken = net.createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const busy = (taken.address() as net.AddressInfo).port;
  const first = net.createServer();
  await new Promise<void>((resolve) => first.listen(0, '127.0.0.1', resolve));
  const free = (first.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => first.close(() => resolve()));
  await assert.rejects(Listeners.bind([spec('listen', free), spec('admin.listen', busy)], () => {}), (error: Error) => {
    assert.ok(error instanceof StartupError);
    assert.match(error.message, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${busy} \\(admin\\.listen in the config\\): the address is already in use`));
    return true;
  });
  // The first port was released again.
  const again = net.createServer();
  await new Promise<void>((resolve, reject) => {
    again.once('error', reject);
    again.listen(free, '127.0.0.1', resolve);
  });
  again.close();
  taken.close();
});
