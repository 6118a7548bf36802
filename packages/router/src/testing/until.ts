// Test-only: waiting for a condition that no event announces.

/** Resolves once `condition` holds, checked after each turn of the event loop (a condition wait, not a sleep). */
export async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}
