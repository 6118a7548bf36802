import { PayloadReader } from '../buffer/payload-reader.ts';
import { PayloadWriter } from '../buffer/payload-writer.ts';
import { CapabilityFlags, hasCapability } from '../constants/capability-flags.ts';
import { CommandByte } from '../constants/command-byte.ts';
import { type ConnectAttributes, readConnectAttributes, writeConnectAttributes } from './connect-attributes.ts';

/** COM_CHANGE_USER: re-authenticate the connection as another user, with a new default schema. */
export interface ComChangeUser {
  username: string;
  authResponse: Buffer;
  database: string | undefined;
  characterSet: number | undefined;
  authPluginName: string | undefined;
  connectAttributes: ConnectAttributes | undefined;
}

export function encodeComChangeUser(message: ComChangeUser, capabilityFlags: number): Buffer {
  const writer = new PayloadWriter(64).u8(CommandByte.COM_CHANGE_USER).nullTerminatedString(message.username);
  if (hasCapability(capabilityFlags, CapabilityFlags.CLIENT_SECURE_CONNECTION)) writer.u8(message.authResponse.length).bytes(message.authResponse);
  else writer.nullTerminatedString(message.authResponse);
  writer.nullTerminatedString(message.database ?? '');
  writer.u16(message.characterSet ?? 0);
  if (hasCapability(capabilityFlags, CapabilityFlags.CLIENT_PLUGIN_AUTH)) writer.nullTerminatedString(message.authPluginName ?? '');
  if (hasCapability(capabilityFlags, CapabilityFlags.CLIENT_CONNECT_ATTRS)) writeConnectAttributes(writer, message.connectAttributes ?? {});
  return writer.toBuffer();
}

export function decodeComChangeUser(payload: Buffer, capabilityFlags: number): ComChangeUser {
  const reader = new PayloadReader(payload, 1);
  const username = reader.nullTerminatedString();
  const authResponse = hasCapability(capabilityFlags, CapabilityFlags.CLIENT_SECURE_CONNECTION)
    ? reader.bytes(reader.u8())
    : reader.nullTerminatedBytes();
  const database = reader.remaining > 0 ? reader.nullTerminatedString() : '';
  const characterSet = reader.remaining >= 2 ? reader.u16() : undefined;
  let authPluginName: string | undefined;
  if (hasCapability(capabilityFlags, CapabilityFlags.CLIENT_PLUGIN_AUTH) && reader.remaining > 0) authPluginName = reader.nullTerminatedString();
  let connectAttributes: ConnectAttributes | undefined;
  if (hasCapability(capabilityFlags, CapabilityFlags.CLIENT_CONNECT_ATTRS) && reader.remaining > 0) connectAttributes = readConnectAttributes(reader);
  return {
    username,
    authResponse: Buffer.from(authResponse),
    database: database === '' ? undefined : database,
    characterSet,
    authPluginName,
    connectAttributes,
  };
}
