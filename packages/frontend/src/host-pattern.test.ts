import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { accountAddress, hostMatches, hostSpecificity, likePattern } from './host-pattern.ts';

describe('host patterns of server accounts', () => {
  it('matches wildcards as LIKE does, whole addresses only', () => {
    assert.equal(hostMatches('%', '203.0.113.9'), true);
    assert.equal(hostMatches('10.0.%', '10.0.7.1'), true);
    assert.equal(hostMatches('10.0.%', '10.1.0.1'), false);
    assert.equal(hostMatches('10.0.0._', '10.0.0.7'), true);
    assert.equal(hostMatches('10.0.0._', '10.0.0.17'), false);
    assert.equal(hostMatches('127.0.0.1', '127.0.0.1'), true);
    // '.' is no regular-expression wildcard.
    assert.equal(hostMatches('127.0.0.1', '127a0b0c1'), false);
    assert.equal(hostMatches('127.0.0.1', '127.0.0.10'), false);
  });

  it('matches an IPv4 address with a netmask', () => {
    assert.equal(hostMatches('192.168.1.0/255.255.255.0', '192.168.1.77'), true);
    assert.equal(hostMatches('192.168.1.0/255.255.255.0', '192.168.2.77'), false);
    assert.equal(hostMatches('192.168.1.0/255.255.255.0', '::1'), false);
  });

  it('takes localhost as loopback, and resolves no other name', () => {
    assert.equal(hostMatches('localhost', '127.0.0.1'), true);
    assert.equal(hostMatches('LocalHost', '::1'), true);
    assert.equal(hostMatches('localhost', '10.0.0.1'), false);
    assert.equal(hostMatches('app.example.com', '10.0.0.1'), false);
  });

  it('names IPv4-mapped IPv6 clients by their IPv4 address', () => {
    assert.equal(accountAddress('::ffff:127.0.0.1'), '127.0.0.1');
    assert.equal(accountAddress('::1'), '::1');
    assert.equal(accountAddress('10.1.2.3'), '10.1.2.3');
  });

  it('orders literal hosts first, then patterns by how late their first wildcard comes', () => {
    const hosts = ['%', '10.%', '10.0.0.1', '10.0.0.%', '192.168.1.0/255.255.255.0'];
    const ordered = [...hosts].sort((a, b) => hostSpecificity(b) - hostSpecificity(a));
    assert.deepEqual(ordered, ['10.0.0.1', '192.168.1.0/255.255.255.0', '10.0.0.%', '10.%', '%']);
  });

  it('reads schema grants as LIKE patterns with backslash escapes', () => {
    assert.equal(likePattern('app_db').test('appXdb'), true, "an unescaped '_' is a wildcard, as in MariaDB's grants");
    assert.equal(likePattern('app\\_db').test('appXdb'), false);
    assert.equal(likePattern('app\\_db').test('app_db'), true);
    assert.equal(likePattern('shop%').test('shop_eu'), true);
    assert.equal(likePattern('shop%').test('Shop_eu'), false, 'schema names are case-sensitive');
    assert.equal(likePattern('a.b(c)').test('a.b(c)'), true);
    assert.equal(likePattern('a.b(c)').test('aXb(c)'), false);
  });
});
