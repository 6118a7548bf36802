import { findExecutable, isRoot, runVisibly } from './processes.ts';

// Debian installs the server daemon in /usr/sbin, which is often not on a non-root PATH.
const SERVER_DIRS = ['/usr/sbin', '/usr/bin'];

export function findMariaDbd(): string | undefined {
  return findExecutable('mariadbd', SERVER_DIRS);
}

export function findMariaDbInstallDb(): string | undefined {
  return findExecutable('mariadb-install-db', SERVER_DIRS) ?? findExecutable('mysql_install_db', SERVER_DIRS);
}

/** Installs Debian's mariadb-server (and client) when mariadbd is missing; needs root. */
export async function ensureMariaDbInstalled(): Promise<void> {
  if (findMariaDbd() && findMariaDbInstallDb()) return;
  await aptInstall(['mariadb-server', 'mariadb-client'], 'mariadbd');
}

/** Installs Debian's sysbench when missing; needs root. */
export async function ensureSysbenchInstalled(): Promise<void> {
  if (findExecutable('sysbench')) return;
  await aptInstall(['sysbench'], 'sysbench');
}

async function aptInstall(packages: string[], missing: string): Promise<void> {
  const list = packages.join(' ');
  if (!isRoot()) {
    throw new Error(`${missing} not found. Install the Debian package(s) ${list}: sudo apt-get install -y ${list}`);
  }
  process.stderr.write(`[testkit] ${missing} not found, installing ${list} with apt-get...\n`);
  // Wait for the dpkg lock instead of failing when a parallel test process installs too.
  const lockWait = ['-o', 'DPkg::Lock::Timeout=300'];
  await runVisibly('apt-get', [...lockWait, 'update']);
  await runVisibly('apt-get', [...lockWait, 'install', '-y', ...packages], {
    ...process.env,
    DEBIAN_FRONTEND: 'noninteractive',
  });
}
