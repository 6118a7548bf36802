import { PayloadReader } from '../buffer/payload-reader.ts';
import { PayloadWriter } from '../buffer/payload-writer.ts';
import { CapabilityFlags, hasCapability } from '../constants/capability-flags.ts';
import { ServerStatus } from '../constants/server-status.ts';

/** Protocol::OK_Packet (header 0x00, or 0xfe when it replaces EOF under CLIENT_DEPRECATE_EOF). */
export interface OkPacket {
  header?: 0x00 | 0xfe;
  affectedRows: number | bigint;
  lastInsertId: number | bigint;
  statusFlags: number;
  warnings: number;
  info: string;
  /** Raw session state change data (CLIENT_SESSION_TRACK with SERVER_SESSION_STATE_CHANGED). */
  sessionStateChanges?: Buffer;
}

export function encodeOkPacket(message: OkPacket, capabilityFlags: number): Buffer {
  const writer = new PayloadWriter(32)
    .u8(message.header ?? 0x00)
    .lengthEncodedInt(message.affectedRows)
    .lengthEncodedInt(message.lastInsertId)
    .u16(message.statusFlags)
    .u16(message.warnings);
  if (hasCapability(capabilityFlags, CapabilityFlags.CLIENT_SESSION_TRACK)) {
    if (message.info !== '' || message.sessionStateChanges) writer.lengthEncodedString(message.info);
    if (message.sessionStateChanges && message.statusFlags & ServerStatus.SERVER_SESSION_STATE_CHANGED) {
      writer.lengthEncodedBytes(message.sessionStateChanges);
    }
  } else {
    writer.string(message.info);
  }
  return writer.toBuffer();
}

export function decodeOkPacket(payload: Buffer, capabilityFlags: number): OkPacket {
  const reader = new PayloadReader(payload);
  const header = reader.u8() as 0x00 | 0xfe;
  const affectedRows = reader.lengthEncodedInt();
  const lastInsertId = reader.lengthEncodedInt();
  const statusFlags = reader.u16();
  const warnings = reader.u16();
  let info = '';
  let sessionStateChanges: Buffer | undefined;
  if (hasCapability(capabilityFlags, CapabilityFlags.CLIENT_SESSION_TRACK)) {
    if (reader.remaining > 0) info = reader.lengthEncodedString();
    if (statusFlags & ServerStatus.SERVER_SESSION_STATE_CHANGED && reader.remaining > 0) sessionStateChanges = reader.lengthEncodedBytes();
  } else {
    info = reader.restString();
  }
  return { header, affectedRows, lastInsertId, statusFlags, warnings, info, sessionStateChanges };
}

/** Status flags of an OK packet, read without decoding the rest. */
export function okPacketStatusFlags(payload: Buffer): number {
  const reader = new PayloadReader(payload, 1);
  reader.lengthEncodedInt();
  reader.lengthEncodedInt();
  return reader.u16();
}
