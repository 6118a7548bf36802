import { PayloadReader } from '../buffer/payload-reader.ts';
import { PayloadWriter } from '../buffer/payload-writer.ts';
import { CapabilityFlags, hasCapability } from '../constants/capability-flags.ts';
import { HANDSHAKE_RESPONSE_FIXED_LENGTH } from './handshake-response-41.ts';

/** Protocol::SSLRequest: the first 32 bytes of a handshake response, sent before the TLS handshake. */
export interface SslRequest {
  capabilityFlags: number;
  maxPacketSize: number;
  characterSet: number;
}

export function isSslRequest(payload: Buffer): boolean {
  return payload.length === HANDSHAKE_RESPONSE_FIXED_LENGTH && hasCapability(payload.readUInt32LE(0), CapabilityFlags.CLIENT_SSL);
}

export function encodeSslRequest(message: SslRequest): Buffer {
  return new PayloadWriter(32).u32(message.capabilityFlags).u32(message.maxPacketSize).u8(message.characterSet).zeros(23).toBuffer();
}

export function decodeSslRequest(payload: Buffer): SslRequest {
  const reader = new PayloadReader(payload);
  return { capabilityFlags: reader.u32(), maxPacketSize: reader.u32(), characterSet: reader.u8() };
}
