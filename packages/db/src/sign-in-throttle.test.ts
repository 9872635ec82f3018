import { describe, expect, it } from 'vitest';
import { clientAddressKey, lockDurationMs, signInThrottleKeys } from './sign-in-throttle';

describe('sign-in lock durations', () => {
  it('locks from the last free failure on, doubling from a minute up to 15 minutes', () => {
    const minutes = [3, 4, 5, 6, 7, 8, 9, 10, 40, 10_000].map(
      (failures) => lockDurationMs(failures, 5) / 60_000,
    );
    expect(minutes).toEqual([0, 0, 1, 2, 4, 8, 15, 15, 15, 15]);
  });
});

describe('client address keys', () => {
  it('counts IPv4 by address, mapped or not, and IPv6 by its /64', () => {
    expect(clientAddressKey('192.0.2.7')).toBe('192.0.2.7');
    expect(clientAddressKey('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(clientAddressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientAddressKey('2001:DB8:0:0:ffff:1:2:3')).toBe('2001:db8:0:0::/64');
    expect(clientAddressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(clientAddressKey('::1')).toBe('0:0:0:0::/64');
    expect(clientAddressKey('2001:db8:1:2:3:4:192.0.2.1')).toBe('2001:db8:1:2::/64');
    expect(clientAddressKey('unknown')).toBe('unknown');
  });

  it('keys an account case-insensitively per address, never in clear', () => {
    const a = signInThrottleKeys('Admin', '192.0.2.7');
    expect(a).toEqual(signInThrottleKeys(' admin ', '::ffff:192.0.2.7'));
    expect(a.account).not.toBe(signInThrottleKeys('admin', '192.0.2.8').account);
    expect(JSON.stringify(a)).not.toMatch(/admin|192/);
    expect(a.address).toBe(signInThrottleKeys('someone-else', '192.0.2.7').address);
  });
});
