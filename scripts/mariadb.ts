// Long-lived local MariaDB for development, quickstart and benchmarks.
//   node scripts/mariadb.ts start [--port 3307] [--dir .cathode/mariadb-3307]
//   node scripts/mariadb.ts stop  [--port 3307] [--dir .cathode/mariadb-3307]
//   node scripts/mariadb.ts status [--port 3307] [--dir ...]
// The server is detached (outlives this script) and its data dir is kept between runs.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  ensureMariaDbInstalled,
  runningMariaDbAt,
  startMariaDb,
  stopMariaDbAt,
} from '../packages/testkit/src/index.ts';

const USAGE = 'usage: node scripts/mariadb.ts <start|stop|status> [--port 3307] [--dir .cathode/mariadb-<port>]';

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    port: { type: 'string', default: '3307' },
    dir: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const [command, ...rest] = positionals;
if (!command || rest.length > 0) fail(USAGE);

const port = Number(values.port);
if (!Number.isInteger(port) || port <= 0 || port > 65535) fail(`invalid --port ${values.port}`);
const dataDir = resolve(values.dir ?? `.cathode/mariadb-${port}`);

try {
  switch (command) {
    case 'start': {
      const running = runningMariaDbAt(dataDir);
      if (running) {
        console.log(`MariaDB already running: port ${running.port ?? '?'}, pid ${running.pid}, dataDir ${dataDir}`);
        break;
      }
      await ensureMariaDbInstalled();
      // keepData: initialises the dir only if it is empty, otherwise reuses it.
      const instance = await startMariaDb({ port, dataDir, keepData: true, detached: true });
      console.log(`MariaDB started: port ${instance.port}, pid ${instance.pid}, dataDir ${instance.dataDir}`);
      console.log(`  connect:   mariadb -h 127.0.0.1 -P ${instance.port} -u root`);
      console.log(`  socket:    ${instance.socketPath}`);
      console.log(`  error log: ${instance.errorLogPath}`);
      break;
    }
    case 'stop': {
      const stopped = await stopMariaDbAt(dataDir);
      console.log(stopped ? `MariaDB on ${dataDir} stopped` : `no MariaDB running on ${dataDir}`);
      break;
    }
    case 'status': {
      const running = runningMariaDbAt(dataDir);
      console.log(
        running
          ? `running: port ${running.port ?? '?'}, pid ${running.pid}, dataDir ${dataDir}`
          : `not running (dataDir ${dataDir})`,
      );
      process.exitCode = running ? 0 : 1;
      break;
    }
    default:
      fail(USAGE);
  }
} catch (error) {
  console.error(`mariadb ${command} failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
