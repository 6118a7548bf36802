import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { CACHING_SHA2_PASSWORD, CapabilityFlags, PacketFramer, ServerStatus, encodeHandshakeV10, framePayload } from '@cathode/wire';

// A backend server on a local socket whose every packet after the greeting is a test's script.

export interface ServerIo {
  nonce: Buffer;
  next(): Promise<Buffer | undefined>;
  send(payload: Buffer): void;
}

/**
 * A server that greets with caching_sha2_password and then follows `script`. Resolves with what
 * the script returned once the client is gone.
 */
export async function scriptedServer<T>(script: (io: ServerIo) => Promise<T>): Promise<{ port: number; result: Promise<T>; close(): void }> {
  let settle: (value: Promise<T>) => void = () => {};
  const result = new Promise<T>((resolve) => {
    settle = resolve;
  });
  const listener = net.createServer((socket) => {
    const framer = new PacketFramer();
    let sequenceId = 0;
    let waiting: ((payload: Buffer | undefined) => void) | undefined;
    let ended = false;
    const deliver = () => {
      if (!waiting) return;
      const packet = framer.next();
      if (packet) {
        sequenceId = packet.sequenceId + 1;
        const resolve = waiting;
        waiting = undefined;
        resolve(packet.payload);
      } else if (ended) {
        const resolve = waiting;
        waiting = undefined;
        resolve(undefined);
      }
    };
    socket.on('data', (chunk) => {
      framer.push(chunk as Buffer);
      deliver();
    });
    socket.on('close', () => {
      ended = true;
      deliver();
    });
    socket.on('error', () => {});
    const nonce = randomBytes(20);
    const io: ServerIo = {
      nonce,
      next: () =>
        new Promise((resolve) => {
          waiting = resolve;
          deliver();
        }),
      send: (payload) => {
        socket.write(framePayload(payload, sequenceId).bytes);
        sequenceId++;
      },
    };
    io.send(
      encodeHandshakeV10({
        serverVersion: '8.4.0-scripted',
        connectionId: 7,
        authPluginData: nonce,
        capabilityFlags:
          CapabilityFlags.CLIENT_LONG_PASSWORD |
          CapabilityFlags.CLIENT_PROTOCOL_41 |
          CapabilityFlags.CLIENT_SECURE_CONNECTION |
          CapabilityFlags.CLIENT_PLUGIN_AUTH |
          CapabilityFlags.CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA |
          CapabilityFlags.CLIENT_CONNECT_ATTRS |
          CapabilityFlags.CLIENT_TRANSACTIONS,
        characterSet: 255,
        statusFlags: ServerStatus.SERVER_STATUS_AUTOCOMMIT,
        authPluginName: CACHING_SHA2_PASSWORD,
        mariaDbCapabilities: 0,
      }),
    );
    settle(
      script(io).finally(() => {
        socket.end();
      }),
    );
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  return { port: (listener.address() as net.AddressInfo).port, result, close: () => listener.close() };
}

