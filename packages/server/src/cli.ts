import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '@cathode/config';
import { createLogger } from './logger.ts';
import { startCathode } from './main/start-cathode.ts';

const HELP = `Usage: cathode --config <file> [--check-config]

A MySQL-protocol proxy: clients connect to Cathode as to MariaDB/MySQL.

Options:
  -c, --config <file>   configuration file (YAML or JSON)
      --check-config    validate the configuration and exit
  -h, --help            show this help
  -v, --version         print the version

Environment:
  CATHODE_LOG_LEVEL     overrides log.level (fatal, error, warn, info, debug, trace, silent)
`;

function version(): string {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return manifest.version;
}

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({
      options: {
        config: { type: 'string', short: 'c' },
        'check-config': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    }).values;
  } catch (error) {
    process.stderr.write(`cathode: ${(error as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (args.version) {
    process.stdout.write(`cathode ${version()}\n`);
    return 0;
  }
  if (!args.config) {
    process.stderr.write(`cathode: --config <file> is required\n\n${HELP}`);
    return 2;
  }
  let config;
  try {
    config = loadConfig(args.config);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`cathode: ${error.message}\n`);
    return 1;
  }
  if (args['check-config']) {
    process.stdout.write(`config ${args.config} is valid\n`);
    return 0;
  }
  const logger = createLogger(config.log.level, 'main');
  // Before start-up, which logs "listening": a SIGHUP sent right after that line must find the handler.
  // SIGHUP's default action ends the process without a word; until online reload exists, say so and go on.
  process.on('SIGHUP', () => logger.warn('SIGHUP: reloading the configuration is not supported yet; still running with the configuration loaded at start'));
  let handle;
  try {
    handle = await startCathode(config, logger);
  } catch (error) {
    // One line an operator can act on; the log keeps the detail.
    const message = (error as Error).message.replace(/\s*\n\s*/g, ' ');
    logger.fatal({ err: error }, 'cathode could not start');
    process.stderr.write(`cathode: ${message}\n`);
    process.exit(1);
  }
  const stop = () => {
    handle.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.fatal({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  return -1;
}

const code = await main();
if (code >= 0) process.exitCode = code;
