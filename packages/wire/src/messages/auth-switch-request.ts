import { PayloadReader } from '../buffer/payload-reader.ts';
import { PayloadWriter } from '../buffer/payload-writer.ts';

/** Protocol::AuthSwitchRequest: the server asks the client to authenticate with another plugin. */
export interface AuthSwitchRequest {
  pluginName: string;
  pluginData: Buffer;
}

export const AUTH_SWITCH_REQUEST_HEADER = 0xfe;

export function encodeAuthSwitchRequest(message: AuthSwitchRequest): Buffer {
  // Servers terminate the scramble with a NUL; clients strip it.
  return new PayloadWriter(64).u8(AUTH_SWITCH_REQUEST_HEADER).nullTerminatedString(message.pluginName).bytes(message.pluginData).u8(0).toBuffer();
}

export function decodeAuthSwitchRequest(payload: Buffer): AuthSwitchRequest {
  const reader = new PayloadReader(payload);
  reader.skip(1);
  const pluginName = reader.nullTerminatedString();
  let pluginData = reader.restBytes();
  if (pluginData.length > 0 && pluginData[pluginData.length - 1] === 0) pluginData = pluginData.subarray(0, -1);
  return { pluginName, pluginData: Buffer.from(pluginData) };
}
