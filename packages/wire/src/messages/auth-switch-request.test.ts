import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PROTOCOL_VIOLATION, assertTruncationsThrow, cat, hex, nul } from '../testing/packet-builders.ts';
import { AUTH_SWITCH_REQUEST_HEADER, decodeAuthSwitchRequest, encodeAuthSwitchRequest } from './auth-switch-request.ts';

const scramble = hex('0102030405060708090a0b0c0d0e0f1011121314');

describe('AuthSwitchRequest', () => {
  it('encodes 0xfe, the NUL-terminated plugin name, the data and a NUL', () => {
    assert.equal(AUTH_SWITCH_REQUEST_HEADER, 0xfe);
    const bytes = encodeAuthSwitchRequest({ pluginName: 'mysql_native_password', pluginData: scramble });
    assert.deepEqual(bytes, cat(hex('fe'), nul('mysql_native_password'), scramble, hex('00')));
  });

  it('decodes it back without the trailing NUL', () => {
    const message = { pluginName: 'caching_sha2_password', pluginData: scramble };
    assert.deepEqual(decodeAuthSwitchRequest(encodeAuthSwitchRequest(message)), message);
  });

  it('decodes data sent without the trailing NUL', () => {
    assert.deepEqual(decodeAuthSwitchRequest(cat(hex('fe'), nul('x'), hex('0102'))), { pluginName: 'x', pluginData: hex('0102') });
  });

  it('decodes a request without data', () => {
    assert.deepEqual(decodeAuthSwitchRequest(cat(hex('fe'), nul('mysql_clear_password'))), { pluginName: 'mysql_clear_password', pluginData: Buffer.alloc(0) });
  });

  it('returns data that does not alias the packet', () => {
    const bytes = encodeAuthSwitchRequest({ pluginName: 'p', pluginData: hex('aa') });
    const decoded = decodeAuthSwitchRequest(bytes);
    bytes[3] = 0xbb;
    assert.deepEqual(decoded.pluginData, hex('aa'));
  });

  it('throws CATHODE_PROTOCOL_VIOLATION when truncated inside the header or plugin name', () => {
    assert.equal(PROTOCOL_VIOLATION, 'CATHODE_PROTOCOL_VIOLATION');
    assertTruncationsThrow(cat(hex('fe'), nul('mysql_native_password')), decodeAuthSwitchRequest, [0, 1, 5, 21]);
  });
});
