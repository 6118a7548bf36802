// Test-only: the client flavors the result writer is checked for, as a MariaDB client negotiates them.
import { CapabilityFlags, MariaDbCapabilityFlags } from '@cathode/wire';

const BASE_CAPABILITIES =
  CapabilityFlags.CLIENT_LONG_FLAG |
  CapabilityFlags.CLIENT_CONNECT_WITH_DB |
  CapabilityFlags.CLIENT_PROTOCOL_41 |
  CapabilityFlags.CLIENT_TRANSACTIONS |
  CapabilityFlags.CLIENT_SECURE_CONNECTION |
  CapabilityFlags.CLIENT_MULTI_STATEMENTS |
  CapabilityFlags.CLIENT_MULTI_RESULTS |
  CapabilityFlags.CLIENT_PS_MULTI_RESULTS |
  CapabilityFlags.CLIENT_PLUGIN_AUTH;

/**
 * [CLIENT_* flags, MariaDB capabilities] per flavor. A client that asks for no MariaDB capability
 * sets CLIENT_MYSQL as well (see `clientFlags`).
 */
export const FLAVORS = {
  plain: [BASE_CAPABILITIES, 0],
  deprecateEof: [BASE_CAPABILITIES | CapabilityFlags.CLIENT_DEPRECATE_EOF, 0],
  cacheMetadata: [BASE_CAPABILITIES, MariaDbCapabilityFlags.MARIADB_CLIENT_CACHE_METADATA],
  cacheMetadataDeprecateEof: [BASE_CAPABILITIES | CapabilityFlags.CLIENT_DEPRECATE_EOF, MariaDbCapabilityFlags.MARIADB_CLIENT_CACHE_METADATA],
  extendedMetadata: [BASE_CAPABILITIES, MariaDbCapabilityFlags.MARIADB_CLIENT_EXTENDED_METADATA],
} as const satisfies Record<string, readonly [number, number]>;

export type Flavor = keyof typeof FLAVORS;

/** The CLIENT_* flags a client of `flavor` sends: CLIENT_MYSQL unless it speaks MariaDB's extensions. */
export function clientFlags(flavor: Flavor): number {
  const [capabilities, mariaDbCapabilities] = FLAVORS[flavor];
  return mariaDbCapabilities ? capabilities : capabilities | CapabilityFlags.CLIENT_MYSQL;
}
