import net from 'node:net';

/** Bytes per read buffer: one is carved up for the many small reads a client's commands make. */
const SLAB_LENGTH = 64 * 1024;
/** A read is offered at least this much room; with less left, a new slab starts. */
const MIN_READ_ROOM = 16 * 1024;

/**
 * Re-wraps a freshly transferred socket's TCP handle in a socket that reads into slabs of
 * Cathode's own (`onread`) instead of through a readable stream, which costs every read a buffer
 * allocation, a 'data' event and stream bookkeeping. Each read gets the unused rest of the
 * current slab, so bytes handed out are never overwritten and packets may be kept as views.
 * Returns undefined, leaving the socket as it is, when it is not an untouched TCP socket.
 *
 * Node has no public way to add `onread` to a socket it built while deserializing a transfer:
 * this takes the handle as net.Server does for accepted connections (the `handle` option).
 */
export function readIntoSlabs(socket: net.Socket, onChunk: (chunk: Buffer) => void): net.Socket | undefined {
  const transferred = socket as unknown as { _handle: object | null };
  const handle = transferred._handle;
  if (!handle || socket.destroyed || socket.bytesRead > 0 || socket.readableLength > 0 || socket.writableLength > 0) return undefined;
  let slab = Buffer.allocUnsafeSlow(SLAB_LENGTH);
  let used = 0;
  transferred._handle = null;
  const options = {
    handle,
    readable: true,
    writable: true,
    onread: {
      buffer: () => {
        if (SLAB_LENGTH - used < MIN_READ_ROOM) {
          slab = Buffer.allocUnsafeSlow(SLAB_LENGTH);
          used = 0;
        }
        return slab.subarray(used);
      },
      callback: (length: number, buffer: Uint8Array) => {
        used += length;
        onChunk(Buffer.from(buffer.buffer, buffer.byteOffset, length));
        return true;
      },
    },
  };
  return new net.Socket(options as net.SocketConstructorOpts);
}
