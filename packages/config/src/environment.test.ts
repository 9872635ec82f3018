import { describe, expect, it } from 'vitest';
import { readEnvironment } from './environment';

describe('TIDEWATER_TRUSTED_PROXIES', () => {
  it('trusts no proxy by default and reads a comma-separated list of addresses and ranges', () => {
    expect(readEnvironment({}).TIDEWATER_TRUSTED_PROXIES).toEqual([]);
    expect(
      readEnvironment({ TIDEWATER_TRUSTED_PROXIES: ' 127.0.0.2, 10.0.0.0/8 ,::1,fd00::/8' })
        .TIDEWATER_TRUSTED_PROXIES,
    ).toEqual(['127.0.0.2', '10.0.0.0/8', '::1', 'fd00::/8']);
  });

  it('refuses host names and malformed ranges, naming them', () => {
    expect(() => readEnvironment({ TIDEWATER_TRUSTED_PROXIES: '10.0.0.0/33,proxy.local' })).toThrow(
      /"10\.0\.0\.0\/33" is not an IP address.*"proxy\.local" is not an IP address/,
    );
  });
});
