/**
 * The MySQL/MariaDB errors Cathode itself sends, by name: errno, SQLSTATE and message template
 * (`%s` placeholders, filled in order). Backend errors are forwarded untouched and never pass through here.
 */
export const ServerError = {
  ER_CON_COUNT_ERROR: { errno: 1040, sqlState: '08004', message: 'Too many connections' },
  ER_HANDSHAKE_ERROR: { errno: 1043, sqlState: '08S01', message: 'Bad handshake' },
  ER_DBACCESS_DENIED_ERROR: { errno: 1044, sqlState: '42000', message: "Access denied for user '%s'@'%s' to database '%s'" },
  ER_ACCESS_DENIED_ERROR: { errno: 1045, sqlState: '28000', message: "Access denied for user '%s'@'%s' (using password: %s)" },
  ER_NO_DB_ERROR: { errno: 1046, sqlState: '3D000', message: 'No database selected' },
  ER_UNKNOWN_COM_ERROR: { errno: 1047, sqlState: '08S01', message: 'Unknown command' },
  ER_BAD_DB_ERROR: { errno: 1049, sqlState: '42000', message: "Unknown database '%s'" },
  ER_SERVER_SHUTDOWN: { errno: 1053, sqlState: '08S01', message: 'Server shutdown in progress' },
  ER_HOST_IS_BLOCKED: { errno: 1129, sqlState: 'HY000', message: "Host '%s' is blocked because of many connection errors; unblock with 'mariadb-admin flush-hosts'" },
  ER_PARSE_ERROR: { errno: 1064, sqlState: '42000', message: "%s near '%s'" },
  ER_NO_SUCH_THREAD: { errno: 1094, sqlState: 'HY000', message: 'Unknown thread id: %s' },
  ER_KILL_DENIED_ERROR: { errno: 1095, sqlState: 'HY000', message: 'You are not owner of thread %s' },
  ER_UNKNOWN_ERROR: { errno: 1105, sqlState: 'HY000', message: '%s' },
  ER_NOT_ALLOWED_COMMAND: { errno: 1148, sqlState: '42000', message: 'The used command is not allowed with this MariaDB version' },
  ER_NET_PACKET_TOO_LARGE: { errno: 1153, sqlState: '08S01', message: "Got a packet bigger than 'max_allowed_packet' bytes" },
  ER_NET_READ_ERROR: { errno: 1158, sqlState: '08S01', message: 'Got an error reading communication packets' },
  ER_NET_PACKETS_OUT_OF_ORDER: { errno: 1156, sqlState: '08S01', message: 'Got packets out of order' },
  ER_NET_UNCOMPRESS_ERROR: { errno: 1157, sqlState: '08S01', message: "Couldn't uncompress communication packet" },
  ER_NET_READ_INTERRUPTED: { errno: 1159, sqlState: '08S01', message: 'Got timeout reading communication packets' },
  ER_WRONG_ARGUMENTS: { errno: 1210, sqlState: 'HY000', message: 'Incorrect arguments to %s' },
  ER_UNKNOWN_STMT_HANDLER: { errno: 1243, sqlState: 'HY000', message: 'Unknown prepared statement handler (%s) given to %s' },
  ER_NOT_SUPPORTED_AUTH_MODE: { errno: 1251, sqlState: '08004', message: 'Client does not support authentication protocol requested by server; consider upgrading MariaDB client' },
  ER_UNSUPPORTED_PS: { errno: 1295, sqlState: 'HY000', message: 'This command is not supported in the prepared statement protocol yet' },
  ER_QUERY_INTERRUPTED: { errno: 1317, sqlState: '70100', message: 'Query execution was interrupted' },
  ER_CONNECT_TO_FOREIGN_DATA_SOURCE: { errno: 1429, sqlState: 'HY000', message: 'Unable to connect to foreign data source: %s' },
  ER_MALFORMED_PACKET: { errno: 1835, sqlState: 'HY000', message: 'Malformed communication packet' },
  ER_CONNECTION_KILLED: { errno: 1927, sqlState: '70100', message: 'Connection was killed' },
  ER_SPECIFIC_ACCESS_DENIED_ERROR: { errno: 1227, sqlState: '42000', message: 'Access denied; you need (at least one of) the %s privilege(s) for this operation' },
  ER_NEED_REPREPARE: { errno: 1615, sqlState: 'HY000', message: 'Prepared statement needs to be re-prepared' },
  ER_NOT_SUPPORTED_YET: { errno: 1235, sqlState: '42000', message: "This version of MariaDB doesn't yet support '%s'" },
  // Cathode's own conditions under MariaDB's errnos (server range, so Connector/C reads them as errors, not as corrupt packets):
  /** A backend connection died during a statement; the session goes on. */
  ER_BACKEND_LOST: { errno: 1317, sqlState: '70100', message: "Query execution was interrupted: lost the connection to backend '%s'" },
  /** A backend connection that held the session's transaction (or locks, temporary tables) died: the session ends. */
  ER_SESSION_STATE_LOST: { errno: 1927, sqlState: '70100', message: 'Connection was killed: %s' },
  /** The executor could not analyse a long statement (timed out, or its thread died): the statement never ran. */
  ER_EXECUTOR_FAILED: { errno: 1317, sqlState: '70100', message: 'Query execution was interrupted: %s' },
} as const satisfies Record<string, { errno: number; sqlState: string; message: string }>;

export type ServerErrorName = keyof typeof ServerError;
