// A client that logs in with mysql_native_password and then holds its socket, nothing else: the
// bench process can keep thousands of these for the price of a socket each (a driver's connection
// object costs tens of KiB).
import net from 'node:net';
import {
  AUTH_SWITCH_REQUEST_HEADER,
  CapabilityFlags,
  CommandByte,
  decodeAuthSwitchRequest,
  decodeErrPacket,
  decodeHandshakeV10,
  encodeHandshakeResponse41,
  ERR_PACKET_HEADER,
  framePayload,
  MYSQL_NATIVE_PASSWORD,
  nativePasswordResponse,
  PACKET_HEADER_LENGTH,
} from '../../packages/wire/src/index.ts';

export interface LoginOptions {
  port: number;
  user: string;
  password: string;
  database: string;
  timeoutMs?: number;
}

const CLIENT_FLAGS =
  CapabilityFlags.CLIENT_MYSQL |
  CapabilityFlags.CLIENT_LONG_FLAG |
  CapabilityFlags.CLIENT_CONNECT_WITH_DB |
  CapabilityFlags.CLIENT_PROTOCOL_41 |
  CapabilityFlags.CLIENT_TRANSACTIONS |
  CapabilityFlags.CLIENT_SECURE_CONNECTION |
  CapabilityFlags.CLIENT_MULTI_RESULTS |
  CapabilityFlags.CLIENT_PS_MULTI_RESULTS |
  CapabilityFlags.CLIENT_PLUGIN_AUTH |
  CapabilityFlags.CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA;
const UTF8MB4_GENERAL_CI = 45;
const OK_HEADER = 0x00;

/** Resolves with the socket once the server has answered OK to the login; paused and quiet from then on. */
export function rawLogin(options: LoginOptions): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port: options.port, noDelay: true });
    socket.setTimeout(options.timeoutMs ?? 30_000);
    let pending: Buffer = Buffer.alloc(0);
    const fail = (error: Error) => {
      socket.destroy();
      reject(error);
    };
    const send = (payload: Buffer, sequenceId: number) => {
      socket.write(framePayload(payload, sequenceId).bytes);
    };
    const onPacket = (payload: Buffer, sequenceId: number) => {
      if (sequenceId === 0) {
        const handshake = decodeHandshakeV10(payload);
        send(
          encodeHandshakeResponse41({
            capabilityFlags: (CLIENT_FLAGS & handshake.capabilityFlags) | CapabilityFlags.CLIENT_PROTOCOL_41,
            maxPacketSize: 16 * 1024 * 1024,
            characterSet: UTF8MB4_GENERAL_CI,
            mariaDbCapabilities: 0,
            username: options.user,
            authResponse: nativePasswordResponse(options.password, handshake.authPluginData),
            database: options.database,
            authPluginName: MYSQL_NATIVE_PASSWORD,
            connectAttributes: undefined,
          }),
          1,
        );
      } else if (payload[0] === OK_HEADER) {
        socket.removeAllListeners('data');
        socket.removeAllListeners('timeout');
        socket.setTimeout(0);
        socket.pause();
        resolve(socket);
      } else if (payload[0] === ERR_PACKET_HEADER) {
        fail(decodeErrPacket(payload));
      } else if (payload[0] === AUTH_SWITCH_REQUEST_HEADER) {
        const request = decodeAuthSwitchRequest(payload);
        if (request.pluginName !== MYSQL_NATIVE_PASSWORD) return fail(new Error(`login asked for ${request.pluginName}; this client speaks ${MYSQL_NATIVE_PASSWORD} only`));
        send(nativePasswordResponse(options.password, request.pluginData), sequenceId + 1);
      } else {
        fail(new Error(`unexpected login packet 0x${payload[0]?.toString(16)}`));
      }
    };
    socket.on('data', (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      while (pending.length >= PACKET_HEADER_LENGTH) {
        const length = pending.readUIntLE(0, 3);
        if (pending.length < PACKET_HEADER_LENGTH + length) break;
        const payload = pending.subarray(PACKET_HEADER_LENGTH, PACKET_HEADER_LENGTH + length);
        const sequenceId = pending[3];
        pending = pending.subarray(PACKET_HEADER_LENGTH + length);
        onPacket(payload, sequenceId);
      }
    });
    socket.once('timeout', () => fail(new Error(`login on port ${options.port} timed out`)));
    socket.once('error', fail);
    socket.once('close', () => reject(new Error(`server closed the connection during login on port ${options.port}`)));
  });
}

/** Sends COM_PING on a logged-in socket from rawLogin; resolves true on OK, false on anything else. */
export function ping(socket: net.Socket, timeoutMs = 30_000): Promise<boolean> {
  return new Promise((resolve) => {
    let received: Buffer = Buffer.alloc(0);
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
      socket.pause();
      resolve(ok);
    };
    const onData = (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < PACKET_HEADER_LENGTH + 1) return;
      done(received[PACKET_HEADER_LENGTH] === OK_HEADER);
    };
    const onClose = () => done(false);
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.on('data', onData);
    socket.once('close', onClose);
    socket.resume();
    socket.write(framePayload(Buffer.of(CommandByte.COM_PING), 0).bytes);
  });
}
