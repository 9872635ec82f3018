import { describe, expect, it } from 'vitest';
import { applyForwardedFacts, createProxyTrust, resolveForwarded } from './forwarded-headers';

const trust = createProxyTrust(['10.0.0.0/8', '127.0.0.2', 'fd00::/8']);

function facts(peerAddress: string, headers: Record<string, string>, isEncrypted = false) {
  return resolveForwarded({ peerAddress, isEncrypted, headers }, trust);
}

describe('forwarded headers', () => {
  it('trusts configured addresses and ranges only, IPv4-mapped included', () => {
    expect(['10.1.2.3', '127.0.0.2', '::ffff:10.9.9.9', 'fd00::1'].map(trust)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(['127.0.0.1', '11.0.0.1', '::1', 'fe80::1', 'unknown', ''].map(trust)).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
  });

  it('ignores every forwarded header from a peer that is not a configured proxy', () => {
    expect(
      facts('::ffff:192.0.2.9', {
        'x-forwarded-for': '198.51.100.1',
        'x-forwarded-proto': 'https',
        'x-forwarded-host': 'evil.example',
      }),
    ).toEqual({ clientAddress: '192.0.2.9', proto: 'http', forwardedHost: null });
    expect(facts('192.0.2.9', {}, true).proto).toBe('https');
  });

  it('takes the first address from the right that is not a proxy, skipping what the client wrote', () => {
    const through = (forwardedFor: string) =>
      facts('10.0.0.5', { 'x-forwarded-for': forwardedFor }).clientAddress;
    expect(through('198.51.100.7')).toBe('198.51.100.7');
    expect(through('203.0.113.1, 198.51.100.7')).toBe('198.51.100.7');
    expect(through('203.0.113.1, 198.51.100.7, 10.0.0.4')).toBe('198.51.100.7');
    expect(through('10.0.0.9, 10.0.0.4')).toBe('10.0.0.9');
    expect(through('198.51.100.7, not-an-address')).toBe('10.0.0.5');
    expect(through('')).toBe('10.0.0.5');
  });

  it('believes a proxy’s scheme and host, and falls back on its own when they are odd', () => {
    expect(
      facts('127.0.0.2', {
        'x-forwarded-proto': 'HTTPS, http',
        'x-forwarded-host': 'console.example',
      }),
    ).toMatchObject({ proto: 'https', forwardedHost: 'console.example' });
    expect(facts('127.0.0.2', { 'x-forwarded-proto': 'gopher' }).proto).toBe('http');
  });

  it('rewrites the headers to the facts', () => {
    const headers: Record<string, string | string[] | undefined> = {
      'x-forwarded-for': '198.51.100.1',
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'evil.example',
      'x-forwarded-port': '443',
      forwarded: 'for=198.51.100.1',
      host: 'console:3000',
    };
    applyForwardedFacts(headers, {
      clientAddress: '192.0.2.9',
      proto: 'http',
      forwardedHost: null,
    });
    expect(headers).toEqual({
      'x-forwarded-for': '192.0.2.9',
      'x-forwarded-proto': 'http',
      host: 'console:3000',
    });
  });
});
