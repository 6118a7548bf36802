// Makes sure throwaway servers die with the process that started them, however it ends.

export interface ExitCleanup {
  /** Synchronous last resort, run from process.on('exit'). */
  killNow(): void;
  /** Graceful stop, run on SIGINT/SIGTERM before the signal is re-raised. */
  stop(): Promise<void>;
}

const tracked = new Set<ExitCleanup>();
const SIGNALS = ['SIGINT', 'SIGTERM'] as const;
let stoppingForSignal = false;

function killAllNow(): void {
  for (const entry of tracked) entry.killNow();
  tracked.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  if (stoppingForSignal) {
    // Second Ctrl-C: stop being polite.
    killAllNow();
  } else {
    stoppingForSignal = true;
    void Promise.allSettled([...tracked].map((entry) => entry.stop())).then(() => {
      killAllNow();
      uninstall();
      stoppingForSignal = false;
      // Our listener suppressed the default action; restore it unless someone else handles the signal.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
    return;
  }
  uninstall();
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function install(): void {
  process.on('exit', killAllNow);
  for (const signal of SIGNALS) process.on(signal, onSignal);
}

function uninstall(): void {
  process.off('exit', killAllNow);
  for (const signal of SIGNALS) process.off(signal, onSignal);
}

/** Registers `entry` until the returned function is called; hooks are only installed while something is tracked. */
export function trackUntilExit(entry: ExitCleanup): () => void {
  if (tracked.size === 0) install();
  tracked.add(entry);
  return () => {
    if (tracked.delete(entry) && tracked.size === 0 && !stoppingForSignal) uninstall();
  };
}
