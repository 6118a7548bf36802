import { PayloadReader } from '../buffer/payload-reader.ts';
import { PayloadWriter } from '../buffer/payload-writer.ts';
import { CapabilityFlags, hasCapability } from '../constants/capability-flags.ts';
import { protocolViolation } from '../errors/cathode-error.ts';
import { type ConnectAttributes, readConnectAttributes, writeConnectAttributes } from './connect-attributes.ts';

/** Protocol::HandshakeResponse41, the client's answer to the handshake. */
export interface HandshakeResponse41 {
  capabilityFlags: number;
  maxPacketSize: number;
  characterSet: number;
  /** MariaDB extended capabilities (bytes 28..31 of the filler) when the client clears CLIENT_MYSQL. */
  mariaDbCapabilities: number;
  username: string;
  authResponse: Buffer;
  database: string | undefined;
  authPluginName: string | undefined;
  connectAttributes: ConnectAttributes | undefined;
}

/** Length of the fixed part that both the SSL request and the full response start with. */
export const HANDSHAKE_RESPONSE_FIXED_LENGTH = 32;

export function encodeHandshakeResponse41(message: HandshakeResponse41): Buffer {
  const flags = message.capabilityFlags;
  const writer = new PayloadWriter(128)
    .u32(flags)
    .u32(message.maxPacketSize)
    .u8(message.characterSet)
    .zeros(19)
    .u32(hasCapability(flags, CapabilityFlags.CLIENT_MYSQL) ? 0 : message.mariaDbCapabilities)
    .nullTerminatedString(message.username);
  if (hasCapability(flags, CapabilityFlags.CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA)) writer.lengthEncodedBytes(message.authResponse);
  else if (hasCapability(flags, CapabilityFlags.CLIENT_SECURE_CONNECTION)) writer.u8(message.authResponse.length).bytes(message.authResponse);
  else writer.nullTerminatedString(message.authResponse);
  if (hasCapability(flags, CapabilityFlags.CLIENT_CONNECT_WITH_DB)) writer.nullTerminatedString(message.database ?? '');
  if (hasCapability(flags, CapabilityFlags.CLIENT_PLUGIN_AUTH)) writer.nullTerminatedString(message.authPluginName ?? '');
  if (hasCapability(flags, CapabilityFlags.CLIENT_CONNECT_ATTRS)) writeConnectAttributes(writer, message.connectAttributes ?? {});
  return writer.toBuffer();
}

export function decodeHandshakeResponse41(payload: Buffer): HandshakeResponse41 {
  const reader = new PayloadReader(payload);
  const capabilityFlags = reader.u32();
  if (!hasCapability(capabilityFlags, CapabilityFlags.CLIENT_PROTOCOL_41)) throw protocolViolation('client does not speak protocol 4.1');
  const maxPacketSize = reader.u32();
  const characterSet = reader.u8();
  reader.skip(19);
  const mariaDbCapabilities = reader.u32();
  const username = reader.nullTerminatedString();
  let authResponse: Buffer;
  if (hasCapability(capabilityFlags, CapabilityFlags.CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA)) authResponse = reader.lengthEncodedBytes();
  else if (hasCapability(capabilityFlags, CapabilityFlags.CLIENT_SECURE_CONNECTION)) authResponse = reader.bytes(reader.u8());
  else authResponse = reader.nullTerminatedBytes();
  // Clients may set a flag and still end the packet early; absent trailing fields are simply absent.
  let database: string | undefined;
  if (hasCapability(capabilityFlags, CapabilityFlags.CLIENT_CONNECT_WITH_DB) && reader.remaining > 0) {
    database = reader.nullTerminatedString();
  }
  let authPluginName: string | undefined;
  if (hasCapability(capabilityFlags, CapabilityFlags.CLIENT_PLUGIN_AUTH) && reader.remaining > 0) {
    authPluginName = reader.nullTerminatedString();
  }
  let connectAttributes: ConnectAttributes | undefined;
  if (hasCapability(capabilityFlags, CapabilityFlags.CLIENT_CONNECT_ATTRS) && reader.remaining > 0) {
    connectAttributes = readConnectAttributes(reader);
  }
  return {
    capabilityFlags,
    maxPacketSize,
    characterSet,
    mariaDbCapabilities: hasCapability(capabilityFlags, CapabilityFlags.CLIENT_MYSQL) ? 0 : mariaDbCapabilities,
    username,
    authResponse: Buffer.from(authResponse),
    database: database === '' ? undefined : database,
    authPluginName,
    connectAttributes,
  };
}
