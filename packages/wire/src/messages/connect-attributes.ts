import type { PayloadReader } from '../buffer/payload-reader.ts';
import { PayloadWriter } from '../buffer/payload-writer.ts';
import { protocolViolation } from '../errors/cathode-error.ts';

/** Connection attributes (CLIENT_CONNECT_ATTRS): a length-prefixed list of key/value strings. */
export type ConnectAttributes = Record<string, string>;

export function readConnectAttributes(reader: PayloadReader): ConnectAttributes {
  const attributes: ConnectAttributes = {};
  const length = reader.lengthEncodedLength();
  const end = reader.offset + length;
  if (end > reader.end) throw protocolViolation('connect attributes overrun the packet');
  while (reader.offset < end) {
    const key = reader.lengthEncodedString();
    attributes[key] = reader.lengthEncodedString();
  }
  if (reader.offset !== end) throw protocolViolation('connect attributes length mismatch');
  return attributes;
}

export function writeConnectAttributes(writer: PayloadWriter, attributes: ConnectAttributes): void {
  const body = new PayloadWriter();
  for (const [key, value] of Object.entries(attributes)) body.lengthEncodedString(key).lengthEncodedString(value);
  writer.lengthEncodedBytes(body.toBuffer());
}
