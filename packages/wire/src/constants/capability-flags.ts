/** Capability flags exchanged in the handshake (protocol 4.1). */
export const CapabilityFlags = {
  CLIENT_LONG_PASSWORD: 0x1,
  /** MariaDB reads an unset bit 0 as "MariaDB server with extended capabilities"; Cathode always sets it. */
  CLIENT_MYSQL: 0x1,
  CLIENT_FOUND_ROWS: 0x2,
  CLIENT_LONG_FLAG: 0x4,
  CLIENT_CONNECT_WITH_DB: 0x8,
  CLIENT_NO_SCHEMA: 0x10,
  CLIENT_COMPRESS: 0x20,
  CLIENT_ODBC: 0x40,
  CLIENT_LOCAL_FILES: 0x80,
  CLIENT_IGNORE_SPACE: 0x100,
  CLIENT_PROTOCOL_41: 0x200,
  CLIENT_INTERACTIVE: 0x400,
  CLIENT_SSL: 0x800,
  CLIENT_IGNORE_SIGPIPE: 0x1000,
  CLIENT_TRANSACTIONS: 0x2000,
  CLIENT_RESERVED: 0x4000,
  CLIENT_SECURE_CONNECTION: 0x8000,
  CLIENT_MULTI_STATEMENTS: 0x10000,
  CLIENT_MULTI_RESULTS: 0x20000,
  CLIENT_PS_MULTI_RESULTS: 0x40000,
  CLIENT_PLUGIN_AUTH: 0x80000,
  CLIENT_CONNECT_ATTRS: 0x100000,
  CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA: 0x200000,
  CLIENT_CAN_HANDLE_EXPIRED_PASSWORDS: 0x400000,
  CLIENT_SESSION_TRACK: 0x800000,
  CLIENT_DEPRECATE_EOF: 0x1000000,
  CLIENT_OPTIONAL_RESULTSET_METADATA: 0x2000000,
  CLIENT_QUERY_ATTRIBUTES: 0x8000000,
  CLIENT_SSL_VERIFY_SERVER_CERT: 0x40000000,
  CLIENT_REMEMBER_OPTIONS: 0x80000000,
} as const;

/**
 * MariaDB's extended capabilities, exchanged in the handshake's reserved bytes when CLIENT_MYSQL is
 * clear. Extended metadata adds the real type (JSON, UUID, INET6...) to column definitions.
 */
export const MariaDbCapabilityFlags = {
  MARIADB_CLIENT_PROGRESS: 0x1,
  MARIADB_CLIENT_STMT_BULK_OPERATIONS: 0x4,
  MARIADB_CLIENT_EXTENDED_METADATA: 0x8,
  MARIADB_CLIENT_CACHE_METADATA: 0x10,
  /** COM_STMT_BULK_EXECUTE may ask for a result set of affected rows and ids per row (MariaDB 11.5+). */
  MARIADB_CLIENT_BULK_UNIT_RESULTS: 0x20,
} as const;

export function hasCapability(flags: number, flag: number): boolean {
  return (flags & flag) !== 0;
}
