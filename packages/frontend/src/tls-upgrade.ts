import { Duplex } from 'node:stream';
import type net from 'node:net';
import tls from 'node:tls';

/**
 * Starts server-side TLS on a socket that has just delivered an SSL request. Clients send their
 * TLS ClientHello right behind that request, so bytes of it may already have been read: then the
 * socket is wrapped in a stream that replays them first (the rare, slower path).
 */
export function startServerTls(socket: net.Socket, alreadyRead: Buffer, secureContext: tls.SecureContext): tls.TLSSocket {
  const transport = alreadyRead.length === 0 ? socket : replayingStream(socket, alreadyRead);
  return new tls.TLSSocket(transport as net.Socket, { isServer: true, secureContext });
}

function replayingStream(socket: net.Socket, alreadyRead: Buffer): Duplex {
  const stream = new Duplex({
    read() {
      socket.resume();
    },
    write(chunk: Buffer, _encoding, callback) {
      socket.write(chunk, callback);
    },
    final(callback) {
      socket.end(callback);
    },
    destroy(error, callback) {
      socket.destroy(error ?? undefined);
      callback(error);
    },
  });
  stream.push(alreadyRead);
  socket.on('data', (chunk: Buffer) => {
    if (!stream.push(chunk)) socket.pause();
  });
  socket.on('end', () => stream.push(null));
  socket.on('error', (error) => stream.destroy(error));
  socket.on('close', () => stream.destroy());
  return stream;
}
