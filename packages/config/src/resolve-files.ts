// tls and rsaKeys name files. They are resolved against the config file's
// directory (so a config works from any cwd) and checked now, so a typo
// fails at startup rather than at the first TLS handshake.
import { accessSync, constants, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ConfigIssue } from './config-error.ts';
import { looksLikePem } from './secret-values.ts';

/**
 * Returns `files` with every path made absolute, adding an issue at
 * `<sectionName>.<key>` for each file that cannot be read.
 */
export function resolveFiles<Files extends Record<string, string>>(
  files: Files | undefined,
  sectionName: string,
  baseDir: string,
  issues: ConfigIssue[],
): Files | undefined {
  if (files === undefined) return undefined;
  const resolved: Record<string, string> = {};
  for (const [key, path] of Object.entries(files)) {
    resolved[key] = resolve(baseDir, path);
    if (looksLikePem(path)) {
      issues.push({ path: `${sectionName}.${key}`, message: 'expected the path of a PEM file, got PEM text (put it in a file and give its path)' });
      continue;
    }
    const problem = unreadableReason(resolved[key]);
    if (problem !== undefined) {
      issues.push({ path: `${sectionName}.${key}`, message: `expected a readable file, cannot read ${resolved[key]} (${problem})` });
    }
  }
  return resolved as Files;
}

function unreadableReason(path: string): string | undefined {
  try {
    if (statSync(path).isDirectory()) return 'it is a directory';
    accessSync(path, constants.R_OK);
    return undefined;
  } catch (error) {
    return describeFsError(error);
  }
}

export function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT': return 'no such file or directory';
    case 'EACCES': return 'permission denied';
    case 'EISDIR': return 'it is a directory';
    default: return error instanceof Error ? error.message : String(error);
  }
}
