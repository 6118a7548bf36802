// Starts a local MariaDB (installing it if needed) and Cathode in front of it, on a default setup:
//   Cathode on 127.0.0.1:8066, user cathode / password cathode, schema demo; MariaDB on 127.0.0.1:3307.
//   Clients' statements run as the MariaDB account cathode_app (ALL on demo.* only, random password
//   kept in the config); root is Cathode's own account, for heartbeats and the start-up probe.
// Ctrl-C stops both. State lives in .cathode/ (delete it to start over).
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfig } from '../packages/config/src/index.ts';
import { startCathode } from '../packages/server/src/index.ts';
import { adminQuery, ensureMariaDbInstalled, runningMariaDbAt, startMariaDb, stopMariaDbAt } from '../packages/testkit/src/index.ts';

const stateDir = resolve('.cathode');
const dataDir = `${stateDir}/mariadb-3307`;
const configPath = `${stateDir}/cathode.yaml`;
mkdirSync(stateDir, { recursive: true });

await ensureMariaDbInstalled();
const startedHere = !runningMariaDbAt(dataDir);
const mariadb = await startMariaDb({ port: 3307, dataDir, keepData: true, detached: true });
await adminQuery(
  mariadb,
  `CREATE DATABASE IF NOT EXISTS demo;
   CREATE TABLE IF NOT EXISTS demo.greetings (id INT PRIMARY KEY AUTO_INCREMENT, text VARCHAR(100) NOT NULL);
   INSERT INTO demo.greetings (text) SELECT 'hello from MariaDB, through Cathode' FROM DUAL WHERE NOT EXISTS (SELECT 1 FROM demo.greetings);`,
);

if (!existsSync(configPath)) {
  // Clients run as an account confined to demo; root stays Cathode's own, for heartbeats and the probe.
  const appPassword = randomBytes(18).toString('base64url');
  await adminQuery(
    mariadb,
    `CREATE USER IF NOT EXISTS 'cathode_app'@'127.0.0.1' IDENTIFIED BY ?;
     ALTER USER 'cathode_app'@'127.0.0.1' IDENTIFIED BY ?;
     GRANT ALL PRIVILEGES ON demo.* TO 'cathode_app'@'127.0.0.1';`,
    [appPassword, appPassword],
  );
  writeFileSync(
    configPath,
    `# Written by scripts/quickstart.ts; see packages/config/examples/cathode.example.yaml for every option.
listen: { host: 127.0.0.1, port: 8066 }
users:
  - name: cathode
    password: cathode
    schemas: [demo]
    # MariaDB's grants apply too: cathode_app may use demo only.
    backendAccount:
      user: cathode_app
      password: ${JSON.stringify(appPassword)}
backends:
  - name: primary
    host: 127.0.0.1
    port: 3307
    user: root
    password: ""
`,
  );
}

const config = loadConfig(configPath);
const cathode = await startCathode(config);
console.log(`
Cathode is running on ${cathode.host}:${cathode.port}, in front of MariaDB on 127.0.0.1:3307.
Connect with:
  mariadb -h 127.0.0.1 -P ${cathode.port} -u cathode -pcathode demo
  node -e "require('mysql2/promise').createConnection('mysql://cathode:cathode@127.0.0.1:${cathode.port}/demo').then(c => c.query('SELECT * FROM greetings')).then(([rows]) => console.log(rows))"
Config: ${configPath}.  Ctrl-C stops Cathode and MariaDB.
`);

const stop = async () => {
  await cathode.close();
  if (startedHere) await stopMariaDbAt(dataDir);
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
