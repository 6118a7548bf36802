export { withAdminConnection, adminQuery, type AdminTarget } from './admin.ts';
export { makeTestCertificates, makeRsaKeyPair, type TestCertificates } from './certs.ts';
export { freePort } from './free-port.ts';
export { ensureMariaDbInstalled, ensureSysbenchInstalled, findMariaDbd } from './mariadb-install.ts';
export {
  startMariaDb,
  stopMariaDbAt,
  runningMariaDbAt,
  socketPathFor,
  type MariaDbInstance,
  type StartMariaDbOptions,
} from './mariadb-instance.ts';
export { testMariaDb, TEST_MARIADB_PORT_ENV, TEST_MARIADB_DATADIR_ENV } from './test-backend.ts';
