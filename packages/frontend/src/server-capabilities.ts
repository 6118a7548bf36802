import { CapabilityFlags } from '@cathode/wire';

/** What Cathode offers clients, before intersecting with what the backend supports. */
export const CATHODE_CAPABILITIES =
  CapabilityFlags.CLIENT_MYSQL |
  CapabilityFlags.CLIENT_FOUND_ROWS |
  CapabilityFlags.CLIENT_LONG_FLAG |
  CapabilityFlags.CLIENT_CONNECT_WITH_DB |
  CapabilityFlags.CLIENT_COMPRESS |
  CapabilityFlags.CLIENT_LOCAL_FILES |
  CapabilityFlags.CLIENT_IGNORE_SPACE |
  CapabilityFlags.CLIENT_PROTOCOL_41 |
  CapabilityFlags.CLIENT_INTERACTIVE |
  CapabilityFlags.CLIENT_IGNORE_SIGPIPE |
  CapabilityFlags.CLIENT_TRANSACTIONS |
  CapabilityFlags.CLIENT_SECURE_CONNECTION |
  CapabilityFlags.CLIENT_MULTI_STATEMENTS |
  CapabilityFlags.CLIENT_MULTI_RESULTS |
  CapabilityFlags.CLIENT_PS_MULTI_RESULTS |
  CapabilityFlags.CLIENT_PLUGIN_AUTH |
  CapabilityFlags.CLIENT_CONNECT_ATTRS |
  CapabilityFlags.CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA |
  CapabilityFlags.CLIENT_SESSION_TRACK |
  CapabilityFlags.CLIENT_DEPRECATE_EOF;

/** Flags Cathode implements itself, so the backend need not support them. */
const FRONTEND_ONLY = CapabilityFlags.CLIENT_COMPRESS | CapabilityFlags.CLIENT_SSL | CapabilityFlags.CLIENT_CONNECT_WITH_DB | CapabilityFlags.CLIENT_CONNECT_ATTRS;

/** Capabilities to advertise: Cathode's, limited to what the backend also speaks, plus TLS when configured. */
export function serverCapabilities(backendCapabilities: number, tlsEnabled: boolean): number {
  const supported = CATHODE_CAPABILITIES & (backendCapabilities | FRONTEND_ONLY);
  return (supported | (tlsEnabled ? CapabilityFlags.CLIENT_SSL : 0)) >>> 0;
}
