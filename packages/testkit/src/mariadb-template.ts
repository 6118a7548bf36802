import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findMariaDbInstallDb } from './mariadb-install.ts';
import { run } from './processes.ts';

// Passed to mariadb-install-db too, so the copied redo log already has the size
// mariadbd is started with (otherwise every start would resize it).
export const INNODB_LOG_FILE_SIZE = '64M';

/** `mariadbd --version` output, e.g. "10.11.19-MariaDB-0+deb12u1". */
export async function mariaDbdVersion(mariadbd: string): Promise<string> {
  const output = await run(mariadbd, ['--version']);
  const match = /Ver\s+(\S+)/.exec(output);
  if (!match) throw new Error(`cannot parse mariadbd version from: ${output.trim()}`);
  return match[1];
}

/**
 * A freshly initialised data dir, created once per server version (and user) and then
 * copied for every instance: copying is much faster than mariadb-install-db.
 */
export async function ensureDataDirTemplate(mariadbd: string): Promise<string> {
  const version = (await mariaDbdVersion(mariadbd)).replace(/[^\w.+-]/g, '_');
  const template = join(tmpdir(), `cathode-mariadb-template-${version}-uid${process.getuid?.() ?? 0}`);
  if (existsSync(template)) return template;

  const installDb = findMariaDbInstallDb();
  if (!installDb) throw new Error('mariadb-install-db not found; call ensureMariaDbInstalled() first');

  // Install beside the final path and rename: the rename is atomic, so a concurrent
  // process either sees no template or a complete one.
  const partial = `${template}.partial-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await run(installDb, [
      '--no-defaults',
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
      '--skip-name-resolve',
      `--innodb-log-file-size=${INNODB_LOG_FILE_SIZE}`,
      `--datadir=${partial}`,
    ]);
    await rename(partial, template);
  } catch (error) {
    await rm(partial, { recursive: true, force: true });
    if (existsSync(template)) return template; // another process won the race
    throw error;
  }
  return template;
}
