import { BackendConnection, type BackendEndpoint } from './backend-connection.ts';
import { textRows } from './collected-response.ts';

/** One account as the server stores it (mysql.user), with the schemas its grants cover. */
export interface LoadedAccount {
  user: string;
  /** The host pattern ('%', '10.0.%', '192.168.1.0/255.255.255.0', 'localhost', …). */
  host: string;
  /** '' on old servers means mysql_native_password. */
  plugin: string;
  /** For mysql_native_password: '*' + 40 hex digits, or '' for no password. */
  authenticationString: string;
  /** LIKE patterns of the schemas its grants name ('%' for a global privilege); literal names escaped. */
  schemaPatterns: string[];
}

// Privileges that open schemas when granted globally; a global PROCESS or RELOAD alone does not.
const SCHEMA_PRIVILEGES = [
  'Select', 'Insert', 'Update', 'Delete', 'Create', 'Drop', 'References', 'Index', 'Alter', 'Create_tmp_table',
  'Lock_tables', 'Execute', 'Create_view', 'Show_view', 'Create_routine', 'Alter_routine', 'Event', 'Trigger',
].map((privilege) => `${privilege}_priv = 'Y'`).join(' OR ');

// Roles (Host '') and anonymous accounts (User '') are left out: Cathode matches named accounts only.
const USERS_SQL = `SELECT User, Host, plugin, authentication_string, ${SCHEMA_PRIVILEGES} FROM mysql.user WHERE User <> '' AND Host <> ''`;
// mysql.db holds patterns already; table and routine grants name one schema literally.
const SCHEMA_GRANTS_SQL =
  "SELECT User, Host, Db, 1 FROM mysql.db WHERE User <> '' " +
  "UNION SELECT DISTINCT User, Host, Db, 0 FROM mysql.tables_priv WHERE User <> '' " +
  "UNION SELECT DISTINCT User, Host, Db, 0 FROM mysql.procs_priv WHERE User <> ''";

/** Reads the server's accounts over `connection`, whose account needs SELECT on the mysql schema. */
export async function readServerAccounts(connection: BackendConnection): Promise<LoadedAccount[]> {
  const users = textRows(await connection.query(USERS_SQL), connection.deprecateEof);
  const grants = textRows(await connection.query(SCHEMA_GRANTS_SQL), connection.deprecateEof);
  const accounts = new Map<string, LoadedAccount>();
  for (const [user, host, plugin, authenticationString, global] of users) {
    accounts.set(accountKey(user ?? '', host ?? ''), {
      user: user ?? '',
      host: host ?? '',
      plugin: plugin ?? '',
      authenticationString: authenticationString ?? '',
      schemaPatterns: global === '1' ? ['%'] : [],
    });
  }
  for (const [user, host, db, isPattern] of grants) {
    const account = accounts.get(accountKey(user ?? '', host ?? ''));
    if (!account || db === null) continue;
    account.schemaPatterns.push(isPattern === '1' ? db : escapeLikePattern(db));
  }
  return [...accounts.values()];
}

/** Connects with the backend's own account, reads the accounts, and disconnects. */
export async function loadServerAccounts(endpoint: BackendEndpoint, connectTimeoutMs: number): Promise<LoadedAccount[]> {
  const connection = await BackendConnection.connect({ endpoint, flavor: 0, connectTimeoutMs });
  try {
    return await readServerAccounts(connection);
  } finally {
    connection.close();
  }
}

function accountKey(user: string, host: string): string {
  return `${user}\0${host.toLowerCase()}`;
}

function escapeLikePattern(name: string): string {
  return name.replace(/[\\%_]/g, (char) => `\\${char}`);
}
