// Building blocks for the config schema. Each one carries an "expected ..."
// phrase, so every error says what would have been accepted and (unless the
// field is secret) what was found instead.
import * as z from 'zod';
import { describeType, describeValue } from './describe-value.ts';

type RawIssue = z.core.$ZodRawIssue;

/**
 * setTimeout() fires after 1 ms when given more than 2^31-1 ms, so a larger
 * idle timeout would silently disconnect everyone instead of never firing.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * A zod error map phrased as "expected <expected>, got <value>". For secret
 * fields only the type of a wrong value is named, never the value itself.
 */
export function expecting(expected: string, options: { secret?: boolean } = {}) {
  return {
    error: (issue: RawIssue): string => {
      if (issue.input === undefined) return `expected ${expected}, but it is missing`;
      if (!options.secret) return `expected ${expected}, got ${describeValue(issue.input)}`;
      return issue.code === 'invalid_type'
        ? `expected ${expected}, got ${describeType(issue.input)}`
        : `expected ${expected}`;
    },
  };
}

export function intBetween(min: number, max: number) {
  // The schema-level error map also phrases the .min()/.max() failures, so
  // every failure states the whole range.
  return z.int(expecting(`an integer between ${min} and ${max}`)).min(min).max(max);
}

export function intAtLeast(min: number) {
  return z.int(expecting(`an integer of at least ${min}`)).min(min);
}

export function durationMs() {
  return intBetween(1, MAX_TIMER_MS);
}

export function flag() {
  return z.boolean(expecting('true or false'));
}

export function anyString() {
  return z.string(expecting('a string'));
}

export function nonEmptyString(maxLength?: number) {
  if (maxLength === undefined) return z.string(expecting('a non-empty string')).min(1);
  return z.string(expecting(`a non-empty string of at most ${maxLength} characters`)).min(1).max(maxLength);
}

/** A string whose value must never appear in an error message. */
export function secretString(expected = 'a string (quote numeric passwords in YAML)') {
  return z.string(expecting(expected, { secret: true }));
}

export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  const listed = values.map((value) => JSON.stringify(value)).join(', ');
  return z.enum(values, expecting(`one of ${listed}`));
}

/** An object that rejects unknown keys, so typos do not pass silently. */
export function section<Shape extends z.core.$ZodLooseShape>(shape: Shape) {
  return z.strictObject(shape, expecting('an object'));
}

/** A list of `what` (a plural noun); `nonEmpty` requires at least one entry. */
export function listOf<Item extends z.core.SomeType>(item: Item, what: string, options: { nonEmpty?: boolean } = {}) {
  const list = z.array(item, expecting(`${options.nonEmpty ? 'a non-empty' : 'a'} list of ${what}`));
  return options.nonEmpty ? list.min(1) : list;
}

/**
 * Reports every entry whose `name` repeats an earlier one, at `<index>.name`.
 * `listPath` is only used to point at the first occurrence in the message.
 */
export function checkUniqueNames(listPath: string) {
  return (items: readonly { name: string }[], ctx: z.core.$RefinementCtx) => {
    const firstIndex = new Map<string, number>();
    items.forEach((item, index) => {
      const earlier = firstIndex.get(item.name);
      if (earlier === undefined) {
        firstIndex.set(item.name, index);
        return;
      }
      ctx.addIssue({
        code: 'custom',
        path: [index, 'name'],
        message: `expected a unique name, but ${JSON.stringify(item.name)} is already used by ${listPath}.${earlier}`,
      });
    });
  };
}
