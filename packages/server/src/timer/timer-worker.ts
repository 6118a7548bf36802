import { parentPort, workerData } from 'node:worker_threads';
import { createLogger } from '../logger.ts';
import { type Envelope, type MainToTimer, type TimerToMain, type WorkerInit, decode, decodeInit, encode } from '../threads/messages.ts';
import { Heartbeat } from './heartbeat.ts';

/**
 * The timer thread: backend heartbeats and the clock for idle sweeps, so no reactor spends its
 * event loop on periodic work. Verdicts go to the main thread, which tells every reactor.
 */
const port = parentPort;
if (!port) throw new Error('timer-worker must run as a worker thread');
const { config } = decodeInit<Extract<WorkerInit, { type: 'timer-init' }>>(workerData as Uint8Array);
const logger = createLogger(config.log.level, 'timer');
const send = (message: TimerToMain) => port.postMessage(encode(message));

const heartbeats = config.backends.map((backend) => new Heartbeat(backend, config.heartbeat));
let beating = false;
const heartbeatTimer = setInterval(async () => {
  if (beating) return;
  beating = true;
  try {
    await Promise.all(
      heartbeats.map(async (heartbeat) => {
        const verdict = await heartbeat.beat();
        if (!verdict) return;
        const fields = { backend: heartbeat.endpoint.name, err: verdict.error };
        if (verdict.healthy) logger.info(fields, 'backend is up again');
        else logger.error(fields, 'backend is down: heartbeat failing');
        send({ type: 'backend-health', backend: heartbeat.endpoint.name, healthy: verdict.healthy, error: verdict.error });
      }),
    );
  } finally {
    beating = false;
  }
}, config.heartbeat.periodMs);

// Sweep often enough that nothing idles much past its timeout, and no more than a few times a second.
const { clientIdleMs, backendIdleMs } = config.timeouts;
const sweepEveryMs = Math.min(5_000, Math.max(100, Math.floor(Math.min(clientIdleMs, backendIdleMs) / 4)));
const sweepTimer = setInterval(() => send({ type: 'sweep-idle', clientIdleMs, backendIdleMs }), sweepEveryMs);

port.on('message', (envelope: Envelope) => {
  if (decode<MainToTimer>(envelope).type !== 'stop') return;
  clearInterval(heartbeatTimer);
  clearInterval(sweepTimer);
  for (const heartbeat of heartbeats) heartbeat.close();
  port.close();
});
