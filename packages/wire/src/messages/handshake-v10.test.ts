import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CapabilityFlags } from '../constants/capability-flags.ts';
import { PROTOCOL_VIOLATION, assertCathodeError, cat, hex, nul } from '../testing/packet-builders.ts';
import { type HandshakeV10, decodeHandshakeV10, encodeHandshakeV10 } from './handshake-v10.ts';

const scramble = hex('01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10 11 12 13 14');
const { CLIENT_MYSQL, CLIENT_CONNECT_WITH_DB, CLIENT_PROTOCOL_41, CLIENT_SECURE_CONNECTION, CLIENT_PLUGIN_AUTH, CLIENT_DEPRECATE_EOF } = CapabilityFlags;

// MYSQL | CONNECT_WITH_DB | PROTOCOL_41 | SECURE_CONNECTION | PLUGIN_AUTH = 0x00088209
const mysqlHandshake: HandshakeV10 = {
  serverVersion: '5.7.0',
  connectionId: 11,
  authPluginData: scramble,
  capabilityFlags: CLIENT_MYSQL | CLIENT_CONNECT_WITH_DB | CLIENT_PROTOCOL_41 | CLIENT_SECURE_CONNECTION | CLIENT_PLUGIN_AUTH,
  characterSet: 45,
  statusFlags: 0x0002,
  authPluginName: 'mysql_native_password',
  mariaDbCapabilities: 0,
};
const mysqlHandshakeBytes = hex(`
  0a
  352e372e30 00
  0b000000
  0102030405060708
  00
  0982
  2d
  0200
  0800
  15
  000000000000
  00000000
  090a0b0c0d0e0f1011121314 00
  6d7973716c5f6e61746976655f70617373776f7264 00
`);

// Same flags without CLIENT_MYSQL (bit 0), plus DEPRECATE_EOF: 0x01088208.
const mariaDbHandshake: HandshakeV10 = {
  serverVersion: '5.5.5-10.11.6-MariaDB',
  connectionId: 0x01020304,
  authPluginData: scramble,
  capabilityFlags: CLIENT_CONNECT_WITH_DB | CLIENT_PROTOCOL_41 | CLIENT_SECURE_CONNECTION | CLIENT_PLUGIN_AUTH | CLIENT_DEPRECATE_EOF,
  characterSet: 8,
  statusFlags: 0x0002,
  authPluginName: 'mysql_native_password',
  mariaDbCapabilities: 0x1d,
};
const mariaDbHandshakeBytes = cat(
  hex('0a'),
  nul('5.5.5-10.11.6-MariaDB'),
  hex('04030201 0102030405060708 00 0882 08 0200 0801 15 000000000000 1d000000 090a0b0c0d0e0f1011121314 00'),
  nul('mysql_native_password'),
);

describe('HandshakeV10', () => {
  it('encodes a MySQL handshake byte for byte (CLIENT_MYSQL set: MariaDB capability bytes are zero)', () => {
    assert.deepEqual(encodeHandshakeV10(mysqlHandshake), mysqlHandshakeBytes);
  });

  it('writes zero MariaDB capabilities when CLIENT_MYSQL is set, whatever the field says', () => {
    assert.deepEqual(encodeHandshakeV10({ ...mysqlHandshake, mariaDbCapabilities: 0xffffffff }), mysqlHandshakeBytes);
  });

  it('encodes a MariaDB handshake: CLIENT_MYSQL cleared, extended capabilities in bytes 6..9 of the reserved area', () => {
    const bytes = encodeHandshakeV10(mariaDbHandshake);
    assert.deepEqual(bytes, mariaDbHandshakeBytes);
  });

  it('splits the 20-byte scramble 8 + 12 (+ NUL) around the capability block', () => {
    const bytes = encodeHandshakeV10(mysqlHandshake);
    const afterVersion = 1 + '5.7.0'.length + 1 + 4;
    assert.deepEqual(bytes.subarray(afterVersion, afterVersion + 8), scramble.subarray(0, 8));
    assert.equal(bytes[afterVersion + 8], 0);
    const part2 = afterVersion + 8 + 1 + 2 + 1 + 2 + 2 + 1 + 10;
    assert.equal(bytes[part2 - 11], 21, 'auth-plugin-data length = 20 + NUL');
    assert.deepEqual(bytes.subarray(part2, part2 + 12), scramble.subarray(8));
    assert.equal(bytes[part2 + 12], 0);
  });

  it('decodes the MySQL example', () => {
    assert.deepEqual(decodeHandshakeV10(mysqlHandshakeBytes), mysqlHandshake);
  });

  it('decodes the MariaDB example with its extended capabilities', () => {
    const decoded = decodeHandshakeV10(mariaDbHandshakeBytes);
    assert.deepEqual(decoded, mariaDbHandshake);
    assert.equal(decoded.capabilityFlags, 0x01088208);
  });

  it('ignores the MariaDB capability bytes when CLIENT_MYSQL is set', () => {
    const bytes = Buffer.from(mysqlHandshakeBytes);
    bytes.writeUInt32LE(0x1d, 1 + 6 + 4 + 8 + 1 + 2 + 1 + 2 + 2 + 1 + 6);
    assert.equal(decodeHandshakeV10(bytes).mariaDbCapabilities, 0);
  });

  it('round-trips capability flags with bit 31 set', () => {
    const message = { ...mysqlHandshake, capabilityFlags: (mysqlHandshake.capabilityFlags | CapabilityFlags.CLIENT_REMEMBER_OPTIONS) >>> 0 };
    assert.deepEqual(decodeHandshakeV10(encodeHandshakeV10(message)), message);
  });

  it('round-trips caching_sha2_password as the plugin', () => {
    const message = { ...mariaDbHandshake, authPluginName: 'caching_sha2_password' };
    assert.deepEqual(decodeHandshakeV10(encodeHandshakeV10(message)), message);
  });

  it('accepts a plugin name without its NUL terminator (MySQL bug #59453)', () => {
    assert.equal(decodeHandshakeV10(mysqlHandshakeBytes.subarray(0, -1)).authPluginName, 'mysql_native_password');
  });

  it('decodes a pre-4.1 handshake that ends after the lower capability flags', () => {
    const decoded = decodeHandshakeV10(mysqlHandshakeBytes.subarray(0, 22));
    assert.deepEqual(decoded.authPluginData, scramble.subarray(0, 8));
    assert.equal(decoded.capabilityFlags, 0x8209);
    assert.equal(decoded.authPluginName, 'mysql_native_password');
  });

  it('rejects a protocol version other than 10', () => {
    const bytes = Buffer.from(mysqlHandshakeBytes);
    bytes[0] = 9;
    assertCathodeError(() => decodeHandshakeV10(bytes), PROTOCOL_VIOLATION);
  });

  it('throws CATHODE_PROTOCOL_VIOLATION for payloads truncated anywhere before the end of the scramble', () => {
    // 22 bytes is a complete pre-4.1 handshake; from 50 bytes on the scramble is complete and only
    // its NUL or the (leniently read) plugin name is missing.
    for (let length = 0; length < 50; length++) {
      if (length === 22) continue;
      assertCathodeError(() => decodeHandshakeV10(mysqlHandshakeBytes.subarray(0, length)), PROTOCOL_VIOLATION, `prefix of ${length}`);
    }
  });
});
