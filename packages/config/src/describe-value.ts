// Renders values for error messages. Scalars are echoed so the user can spot
// the typo; containers are only named, since echoing them could print nested
// secrets (a whole `users` entry, say) into logs.

const MAX_ECHO_LENGTH = 40;

/** Names the kind of a value without revealing it: "a string", "a list". */
export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string': return 'a string';
    case 'number': return 'a number';
    case 'boolean': return 'a boolean';
    case 'object': return 'an object';
    default: return `a ${typeof value}`;
  }
}

/** Echoes scalars (long strings truncated) and names containers. */
export function describeValue(value: unknown): string {
  if (Array.isArray(value)) {
    return value.length === 0 ? 'an empty list' : `a list of ${value.length} item${value.length === 1 ? '' : 's'}`;
  }
  if (typeof value === 'string') {
    const shown = value.length > MAX_ECHO_LENGTH ? `${value.slice(0, MAX_ECHO_LENGTH)}…` : value;
    return JSON.stringify(shown);
  }
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  return describeType(value);
}
