import { Duplex } from 'node:stream';
import type net from 'node:net';
import tls from 'node:tls';

/**
 * Starts server-side TLS on a socket that has just delivered an SSL request. Clients send their
 * TLS ClientHello right behind that request, so bytes of it may already have been read: then TLS
 * runs over a stream that replays them first, and the socket's further bytes must be passed to
 * `feed` by whoever reads it (the rare, slower path). Otherwise TLS takes over the socket's reads.
 */
export function startServerTls(socket: net.Socket, alreadyRead: Buffer, secureContext: tls.SecureContext): { tlsSocket: tls.TLSSocket; feed: ((chunk: Buffer) => void) | undefined } {
  if (alreadyRead.length === 0) return { tlsSocket: new tls.TLSSocket(socket, { isServer: true, secureContext }), feed: undefined };
  const transport = replayingStream(socket, alreadyRead);
  const feed = (chunk: Buffer) => {
    if (!transport.push(chunk)) socket.pause();
  };
  return { tlsSocket: new tls.TLSSocket(transport as net.Socket, { isServer: true, secureContext }), feed };
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
  socket.on('end', () => stream.push(null));
  socket.on('error', (error) => stream.destroy(error));
  socket.on('close', () => stream.destroy());
  return stream;
}
