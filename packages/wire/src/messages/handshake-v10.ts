import { PayloadReader } from '../buffer/payload-reader.ts';
import { PayloadWriter } from '../buffer/payload-writer.ts';
import { CapabilityFlags, hasCapability } from '../constants/capability-flags.ts';
import { protocolViolation } from '../errors/cathode-error.ts';

/** Protocol::HandshakeV10, the server's first packet. */
export interface HandshakeV10 {
  serverVersion: string;
  connectionId: number;
  /** The 20-byte scramble (nonce) for the auth plugin. */
  authPluginData: Buffer;
  capabilityFlags: number;
  characterSet: number;
  statusFlags: number;
  authPluginName: string;
  /** MariaDB extended capabilities, present when the server clears CLIENT_MYSQL. */
  mariaDbCapabilities: number;
}

export function encodeHandshakeV10(message: HandshakeV10): Buffer {
  const scramble = message.authPluginData;
  const writer = new PayloadWriter(128)
    .u8(10)
    .nullTerminatedString(message.serverVersion)
    .u32(message.connectionId)
    .bytes(scramble.subarray(0, 8))
    .u8(0)
    .u16(message.capabilityFlags & 0xffff)
    .u8(message.characterSet)
    .u16(message.statusFlags)
    .u16((message.capabilityFlags >>> 16) & 0xffff)
    .u8(hasCapability(message.capabilityFlags, CapabilityFlags.CLIENT_PLUGIN_AUTH) ? scramble.length + 1 : 0)
    .zeros(6)
    .u32(hasCapability(message.capabilityFlags, CapabilityFlags.CLIENT_MYSQL) ? 0 : message.mariaDbCapabilities);
  if (hasCapability(message.capabilityFlags, CapabilityFlags.CLIENT_SECURE_CONNECTION)) {
    writer.bytes(scramble.subarray(8)).u8(0);
  }
  if (hasCapability(message.capabilityFlags, CapabilityFlags.CLIENT_PLUGIN_AUTH)) {
    writer.nullTerminatedString(message.authPluginName);
  }
  return writer.toBuffer();
}

export function decodeHandshakeV10(payload: Buffer): HandshakeV10 {
  const reader = new PayloadReader(payload);
  const protocolVersion = reader.u8();
  if (protocolVersion !== 10) throw protocolViolation(`unsupported handshake protocol version ${protocolVersion}`);
  const serverVersion = reader.nullTerminatedString();
  const connectionId = reader.u32();
  const scramblePart1 = reader.bytes(8);
  reader.skip(1);
  let capabilityFlags = reader.u16();
  let characterSet = 0;
  let statusFlags = 0;
  let authDataLength = 0;
  let mariaDbCapabilities = 0;
  let scramblePart2: Buffer = Buffer.alloc(0);
  let authPluginName = 'mysql_native_password';
  if (reader.remaining > 0) {
    characterSet = reader.u8();
    statusFlags = reader.u16();
    capabilityFlags |= reader.u16() << 16;
    capabilityFlags >>>= 0;
    authDataLength = reader.u8();
    reader.skip(6);
    mariaDbCapabilities = reader.u32();
    if (hasCapability(capabilityFlags, CapabilityFlags.CLIENT_SECURE_CONNECTION)) {
      const length = Math.max(13, authDataLength - 8);
      // The last byte of part 2 is a NUL terminator, not scramble: it may be missing, the scramble may not.
      if (reader.remaining < length - 1) throw protocolViolation('truncated packet: handshake scramble part 2');
      scramblePart2 = reader.bytes(Math.min(length, reader.remaining)).subarray(0, length - 1);
    }
    if (hasCapability(capabilityFlags, CapabilityFlags.CLIENT_PLUGIN_AUTH) && reader.remaining > 0) {
      const rest = reader.restBytes();
      const nul = rest.indexOf(0);
      authPluginName = rest.subarray(0, nul === -1 ? rest.length : nul).toString('utf8');
    }
  }
  return {
    serverVersion,
    connectionId,
    authPluginData: Buffer.concat([scramblePart1, scramblePart2]),
    capabilityFlags,
    characterSet,
    statusFlags,
    authPluginName,
    mariaDbCapabilities: hasCapability(capabilityFlags, CapabilityFlags.CLIENT_MYSQL) ? 0 : mariaDbCapabilities,
  };
}
