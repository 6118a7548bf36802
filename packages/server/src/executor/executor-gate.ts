/**
 * A test hook: with a gate named (startCathode's `executorGate`), every executor task announces
 * itself on a BroadcastChannel of that name and waits there until the test releases it, so a test
 * can observe what the reactor does while a statement is being analysed, without timing anything.
 */
export type GateMessage =
  /** From the executor: a task of `bytes` bytes of SQL is waiting at the gate. */
  | { type: 'held'; bytes: number }
  /** From the test: every waiting task goes on. */
  | { type: 'release' };

/** On the executor thread: resolves once the test releases the gate. */
export function waitAtGate(name: string, bytes: number): Promise<void> {
  const channel = new BroadcastChannel(name);
  return new Promise((resolve) => {
    channel.onmessage = (event) => {
      if (((event as MessageEvent).data as GateMessage).type !== 'release') return;
      channel.close();
      resolve();
    };
    channel.postMessage({ type: 'held', bytes } satisfies GateMessage);
  });
}
