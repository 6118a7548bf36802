/** How often the coarse clock is refreshed: SHOW PROCESSLIST's times are whole seconds. */
const TICK_MS = 100;

let clock: Float64Array | undefined;

/**
 * Date.now() within TICK_MS, readable without allocating: Date.now() boxes a fresh number on each
 * call, which a per-command timestamp must not do. Copy `times[0]` into a Float64Array slot of
 * your own to keep it allocation-free. The refresh timer does not keep the thread alive.
 */
export function coarseClock(): Float64Array {
  if (!clock) {
    const times = new Float64Array(1);
    times[0] = Date.now();
    setInterval(() => {
      times[0] = Date.now();
    }, TICK_MS).unref();
    clock = times;
  }
  return clock;
}
