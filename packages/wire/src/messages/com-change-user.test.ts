import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CapabilityFlags } from '../constants/capability-flags.ts';
import { assertTruncationsThrow, cat, hex, nul, str } from '../testing/packet-builders.ts';
import { type ComChangeUser, decodeComChangeUser, encodeComChangeUser } from './com-change-user.ts';

const { CLIENT_PROTOCOL_41, CLIENT_SECURE_CONNECTION, CLIENT_PLUGIN_AUTH, CLIENT_CONNECT_ATTRS } = CapabilityFlags;
const proof = hex('0102030405060708090a0b0c0d0e0f1011121314');

describe('COM_CHANGE_USER', () => {
  const full: ComChangeUser = {
    username: 'bob',
    authResponse: proof,
    database: 'db1',
    characterSet: 33,
    authPluginName: 'mysql_native_password',
    connectAttributes: { _pid: '7' },
  };
  const flags = CLIENT_PROTOCOL_41 | CLIENT_SECURE_CONNECTION | CLIENT_PLUGIN_AUTH | CLIENT_CONNECT_ATTRS;
  const fullBytes = cat(hex('11'), nul('bob'), hex('14'), proof, nul('db1'), hex('2100'), nul('mysql_native_password'), hex('07 04'), str('_pid'), hex('01'), str('7'));

  it('encodes every field byte for byte', () => {
    assert.deepEqual(encodeComChangeUser(full, flags), fullBytes);
  });

  it('decodes it back', () => {
    assert.deepEqual(decodeComChangeUser(fullBytes, flags), full);
  });

  it('writes a NUL-terminated auth response without CLIENT_SECURE_CONNECTION, and no plugin or attributes', () => {
    const message: ComChangeUser = { username: 'bob', authResponse: str('old'), database: undefined, characterSet: 8, authPluginName: undefined, connectAttributes: undefined };
    const bytes = cat(hex('11'), nul('bob'), nul('old'), nul(''), hex('0800'));
    assert.deepEqual(encodeComChangeUser(message, CLIENT_PROTOCOL_41), bytes);
    assert.deepEqual(decodeComChangeUser(bytes, CLIENT_PROTOCOL_41), message);
  });

  it('decodes a minimal packet (user, auth, schema) with the optional fields absent', () => {
    const bytes = cat(hex('11'), nul('bob'), hex('00'), nul(''));
    assert.deepEqual(decodeComChangeUser(bytes, flags), {
      username: 'bob',
      authResponse: Buffer.alloc(0),
      database: undefined,
      characterSet: undefined,
      authPluginName: undefined,
      connectAttributes: undefined,
    });
  });

  it('throws CATHODE_PROTOCOL_VIOLATION when truncated inside a field', () => {
    // Ends after the auth response, the schema, the character set and the plugin name are valid.
    const authEnd = 1 + 4 + 1 + 20;
    const valid = new Set([authEnd, authEnd + 4, authEnd + 6, authEnd + 6 + 22, fullBytes.length]);
    assertTruncationsThrow(fullBytes, (payload) => decodeComChangeUser(payload, flags), Array.from({ length: fullBytes.length }, (_, i) => i).filter((i) => !valid.has(i)));
  });
});
