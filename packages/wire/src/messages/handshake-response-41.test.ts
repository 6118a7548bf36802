import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CapabilityFlags } from '../constants/capability-flags.ts';
import { PROTOCOL_VIOLATION, assertCathodeError, cat, hex, lenencStr, nul, str, u32 } from '../testing/packet-builders.ts';
import { type HandshakeResponse41, decodeHandshakeResponse41, encodeHandshakeResponse41 } from './handshake-response-41.ts';

const {
  CLIENT_MYSQL,
  CLIENT_CONNECT_WITH_DB,
  CLIENT_PROTOCOL_41,
  CLIENT_SECURE_CONNECTION,
  CLIENT_PLUGIN_AUTH,
  CLIENT_CONNECT_ATTRS,
  CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA,
} = CapabilityFlags;

const proof = hex('1112131415161718191a1b1c1d1e1f2021222324');
const base: HandshakeResponse41 = {
  // 0x00088209
  capabilityFlags: CLIENT_MYSQL | CLIENT_CONNECT_WITH_DB | CLIENT_PROTOCOL_41 | CLIENT_SECURE_CONNECTION | CLIENT_PLUGIN_AUTH,
  maxPacketSize: 0x01000000,
  characterSet: 45,
  mariaDbCapabilities: 0,
  username: 'root',
  authResponse: proof,
  database: 'test',
  authPluginName: 'mysql_native_password',
  connectAttributes: undefined,
};
const baseBytes = hex(`
  09820800
  00000001
  2d
  0000000000000000000000000000000000000000000000
  726f6f74 00
  14 1112131415161718191a1b1c1d1e1f2021222324
  74657374 00
  6d7973716c5f6e61746976655f70617373776f7264 00
`);

describe('HandshakeResponse41', () => {
  it('encodes the 1-byte-length auth response with database and plugin byte for byte', () => {
    assert.deepEqual(encodeHandshakeResponse41(base), baseBytes);
  });

  it('decodes it back', () => {
    assert.deepEqual(decodeHandshakeResponse41(baseBytes), base);
  });

  it('encodes a length-encoded auth response, connect attributes, no database', () => {
    const longProof = Buffer.alloc(300, 0xab);
    const message: HandshakeResponse41 = {
      ...base,
      // 0x00388201
      capabilityFlags: CLIENT_MYSQL | CLIENT_PROTOCOL_41 | CLIENT_SECURE_CONNECTION | CLIENT_PLUGIN_AUTH | CLIENT_CONNECT_ATTRS | CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA,
      authResponse: longProof,
      database: undefined,
      authPluginName: 'caching_sha2_password',
      connectAttributes: { _client_name: 'libmariadb', _pid: '42' },
    };
    const expected = cat(
      hex('01823800 00000001 2d'),
      Buffer.alloc(23),
      nul('root'),
      hex('fc 2c01'),
      longProof,
      nul('caching_sha2_password'),
      hex('20 0c'),
      str('_client_name'),
      hex('0a'),
      str('libmariadb'),
      hex('04'),
      str('_pid'),
      hex('02'),
      str('42'),
    );
    assert.deepEqual(encodeHandshakeResponse41(message), expected);
    assert.deepEqual(decodeHandshakeResponse41(expected), message);
  });

  it('length-encodes even a short auth response under CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA', () => {
    const message = { ...base, capabilityFlags: base.capabilityFlags | CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA, authResponse: Buffer.alloc(0) };
    const bytes = encodeHandshakeResponse41(message);
    assert.deepEqual(bytes.subarray(32), cat(nul('root'), hex('00'), nul('test'), nul('mysql_native_password')));
    assert.deepEqual(decodeHandshakeResponse41(bytes), message);
  });

  it('writes a NUL-terminated auth response without CLIENT_SECURE_CONNECTION', () => {
    const message: HandshakeResponse41 = {
      ...base,
      capabilityFlags: CLIENT_MYSQL | CLIENT_PROTOCOL_41,
      authResponse: str('scrambled'),
      database: undefined,
      authPluginName: undefined,
    };
    const expected = cat(hex('01020000 00000001 2d'), Buffer.alloc(23), nul('root'), nul('scrambled'));
    assert.deepEqual(encodeHandshakeResponse41(message), expected);
    assert.deepEqual(decodeHandshakeResponse41(expected), message);
  });

  it('carries MariaDB extended capabilities in bytes 28..31 when CLIENT_MYSQL is cleared', () => {
    const message = { ...base, capabilityFlags: base.capabilityFlags & ~CLIENT_MYSQL, mariaDbCapabilities: 0x14 };
    const bytes = encodeHandshakeResponse41(message);
    assert.deepEqual(bytes.subarray(0, 4), hex('08820800'));
    assert.deepEqual(bytes.subarray(9, 28), Buffer.alloc(19));
    assert.deepEqual(bytes.subarray(28, 32), hex('14000000'));
    assert.deepEqual(decodeHandshakeResponse41(bytes), message);
  });

  it('writes zeros in bytes 28..31 when CLIENT_MYSQL is set, and decodes them as 0', () => {
    const bytes = encodeHandshakeResponse41({ ...base, mariaDbCapabilities: 0x14 });
    assert.deepEqual(bytes, baseBytes);
    const withGarbage = Buffer.from(baseBytes);
    withGarbage.writeUInt32LE(0x14, 28);
    assert.equal(decodeHandshakeResponse41(withGarbage).mariaDbCapabilities, 0);
  });

  it('decodes an empty database name as undefined', () => {
    const bytes = encodeHandshakeResponse41({ ...base, database: undefined });
    assert.deepEqual(bytes.subarray(32 + 5 + 21), cat(nul(''), nul('mysql_native_password')));
    assert.equal(decodeHandshakeResponse41(bytes).database, undefined);
  });

  it('writes an empty attribute block when CLIENT_CONNECT_ATTRS is set without attributes', () => {
    const message = { ...base, capabilityFlags: base.capabilityFlags | CLIENT_CONNECT_ATTRS };
    const bytes = encodeHandshakeResponse41(message);
    assert.deepEqual(bytes, cat(hex('09821800'), baseBytes.subarray(4), hex('00')));
    assert.deepEqual(decodeHandshakeResponse41(bytes).connectAttributes, {});
  });

  it('round-trips attributes with multi-byte and long values', () => {
    const message = {
      ...base,
      capabilityFlags: base.capabilityFlags | CLIENT_CONNECT_ATTRS,
      connectAttributes: { program_name: 'cathode-tëst', long: 'x'.repeat(300), empty: '' },
    };
    assert.deepEqual(decodeHandshakeResponse41(encodeHandshakeResponse41(message)), message);
  });

  it('treats trailing optional fields as absent when the client ends the packet early', () => {
    const flags = base.capabilityFlags | CLIENT_CONNECT_ATTRS;
    const bytes = cat(u32(flags), baseBytes.subarray(4, 32), nul('root'), hex('00'));
    const decoded = decodeHandshakeResponse41(bytes);
    assert.deepEqual(
      [decoded.username, decoded.authResponse, decoded.database, decoded.authPluginName, decoded.connectAttributes],
      ['root', Buffer.alloc(0), undefined, undefined, undefined],
    );
  });

  it('rejects a client without CLIENT_PROTOCOL_41', () => {
    const bytes = Buffer.from(baseBytes);
    bytes.writeUInt32LE(base.capabilityFlags & ~CLIENT_PROTOCOL_41, 0);
    assertCathodeError(() => decodeHandshakeResponse41(bytes), PROTOCOL_VIOLATION);
  });

  it('throws CATHODE_PROTOCOL_VIOLATION for every truncation inside a field', () => {
    const message = {
      ...base,
      capabilityFlags: base.capabilityFlags | CLIENT_CONNECT_ATTRS | CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA,
      connectAttributes: { _os: 'Linux' },
    };
    const bytes = encodeHandshakeResponse41(message);
    // Field ends after which the rest is optional: auth response, database, plugin name, attributes.
    const authEnd = 32 + 5 + 1 + 20;
    const fieldEnds = new Set([authEnd, authEnd + 5, authEnd + 5 + 22, bytes.length]);
    assert.deepEqual(bytes.subarray(authEnd + 27), cat(hex('0a'), lenencStr('_os'), lenencStr('Linux')));
    for (let length = 0; length < bytes.length; length++) {
      if (fieldEnds.has(length)) continue;
      assertCathodeError(() => decodeHandshakeResponse41(bytes.subarray(0, length)), PROTOCOL_VIOLATION, `prefix of ${length}`);
    }
  });

  it('rejects attributes whose entries overrun the declared block length', () => {
    const flags = base.capabilityFlags | CLIENT_CONNECT_ATTRS;
    const bytes = cat(u32(flags), baseBytes.subarray(4), hex('03'), lenencStr('_os'), lenencStr('Linux'));
    assertCathodeError(() => decodeHandshakeResponse41(bytes), PROTOCOL_VIOLATION);
  });
});
