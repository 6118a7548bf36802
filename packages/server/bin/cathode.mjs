#!/usr/bin/env node
// Plain JavaScript on purpose: this must run, and explain itself, on any Node before loading TypeScript.
import net from 'node:net';
import { MessageChannel } from 'node:worker_threads';

/** Cathode hands accepted sockets to reactor threads: that needs TCP handle transfer in postMessage. */
function canTransferSockets() {
  const { port1, port2 } = new MessageChannel();
  const socket = new net.Socket();
  try {
    port1.postMessage(socket, [socket]);
    return true;
  } catch (error) {
    // A Node that knows the feature refuses this unconnected socket for its state, not its type.
    return error?.code === 'ERR_WORKER_HANDLE_NOT_TRANSFERABLE';
  } finally {
    port1.close();
    port2.close();
  }
}

if (!canTransferSockets()) {
  process.stderr.write(
    `Cathode needs Node.js 24 LTS or 26 (with TCP socket transfer between worker threads); this is Node ${process.version}. Run it through pnpm (pnpm start), which uses the pinned Node 26.\n`,
  );
  process.exit(1);
}

await import('../src/cli.ts');
