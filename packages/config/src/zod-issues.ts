import type * as z from 'zod';
import type { ConfigIssue } from './config-error.ts';

/**
 * Converts zod issues to ConfigIssues. Unknown keys arrive as one zod issue
 * per object; they are split so each key gets its own path.
 */
export function toConfigIssues(zodIssues: readonly z.core.$ZodIssue[]): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const seen = new Set<string>();
  const add = (path: readonly PropertyKey[], message: string) => {
    const issue = { path: path.map(String).join('.'), message };
    // z.int() can report both "unsafe integer" and "too big" for one value.
    const key = `${issue.path}\n${issue.message}`;
    if (seen.has(key)) return;
    seen.add(key);
    issues.push(issue);
  };
  for (const zodIssue of zodIssues) {
    if (zodIssue.code === 'unrecognized_keys') {
      for (const key of zodIssue.keys) add([...zodIssue.path, key], 'unknown field');
    } else {
      add(zodIssue.path, zodIssue.message);
    }
  }
  return issues;
}
