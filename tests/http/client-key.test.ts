import { describe, expect, it } from 'vitest';
import { clientKey } from '../../http/index.ts';

describe('clientKey: what failed attempts are counted under', () => {
  it('is the address of an IPv4 client, also on a dual-stack socket', () => {
    expect(clientKey('203.0.113.7')).toBe('203.0.113.7');
    expect(clientKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
  });

  it('is the /64 of an IPv6 client, whatever address in it the client picks', () => {
    const keys = ['2001:db8:1:2::1', '2001:db8:1:2:ffff:ffff:ffff:fffe', '2001:0db8:0001:0002:0:0:0:abcd'].map(clientKey);
    expect(new Set(keys)).toEqual(new Set(['2001:db8:1:2::/64']));
    expect(clientKey('2001:db8:1:3::1')).toBe('2001:db8:1:3::/64');
    expect(clientKey('::1')).toBe('::/64');
  });

  it('keeps anything else as it is, and names a missing address', () => {
    expect(clientKey(undefined)).toBe('(no address)');
    expect(clientKey('not-an-ip')).toBe('not-an-ip');
  });
});
