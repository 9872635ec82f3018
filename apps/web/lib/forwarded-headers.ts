import { BlockList, isIP } from 'node:net';

/**
 * Who the client is, decided once at the edge (server.ts) from the TCP peer and, only when the
 * peer is a configured reverse proxy (TIDEWATER_TRUSTED_PROXIES), from its X-Forwarded-*
 * headers. The request's X-Forwarded-For/-Proto/-Host are then rewritten to the answer, so
 * everything after (Next.js, the CSRF check, the Secure cookie flag, HSTS, the sign-in limiter)
 * reads facts instead of whatever a client chose to send.
 *
 * X-Forwarded-For is read right to left: each trusted proxy appends the address it saw, so
 * the first address from the right that is not a trusted proxy is the client; entries left of
 * it were written by the client and are ignored.
 */

export type ProxyTrust = (address: string) => boolean;

/** Plain IPv4 for IPv4-mapped IPv6 (`::ffff:a.b.c.d`), as sockets on dual-stack servers report it. */
export function normalizeAddress(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped?.[1] ?? address;
}

/** A predicate for "is this address one of the configured proxies" (addresses and CIDR ranges). */
export function createProxyTrust(entries: readonly string[]): ProxyTrust {
  const list = new BlockList();
  for (const entry of entries) {
    const [address = '', prefix] = entry.split('/');
    const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(prefix), type);
  }
  return (address) => {
    const plain = normalizeAddress(address);
    const family = isIP(plain);
    if (family === 0) return false;
    return list.check(plain, family === 6 ? 'ipv6' : 'ipv4');
  };
}

export interface ForwardedFacts {
  /** The client's address, for the sign-in limiter and logs. */
  clientAddress: string;
  /** The scheme the client used. */
  proto: 'http' | 'https';
  /** The Host the client asked for, when a trusted proxy said so; else the request's own. */
  forwardedHost: string | null;
}

function firstValue(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  return value?.split(',')[0]?.trim() || undefined;
}

/** The facts about one request, from its TCP peer and (from a trusted proxy) its headers. */
export function resolveForwarded(
  request: {
    peerAddress: string | undefined;
    isEncrypted: boolean;
    headers: Record<string, string | string[] | undefined>;
  },
  isTrusted: ProxyTrust,
): ForwardedFacts {
  const peer = normalizeAddress(request.peerAddress ?? 'unknown');
  const ownProto = request.isEncrypted ? 'https' : 'http';
  if (!isTrusted(peer)) return { clientAddress: peer, proto: ownProto, forwardedHost: null };

  const forwardedFor = request.headers['x-forwarded-for'];
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : (forwardedFor ?? ''))
    .split(',')
    .map((hop) => normalizeAddress(hop.trim()))
    .filter((hop) => hop !== '');
  let clientAddress = peer;
  for (let index = hops.length - 1; index >= 0; index -= 1) {
    const hop = hops[index] ?? '';
    // Garbage where an address belongs: the nearest hop that wrote it is as far as we can see.
    if (isIP(hop) === 0) break;
    clientAddress = hop;
    if (!isTrusted(hop)) break;
  }
  const proto = firstValue(request.headers['x-forwarded-proto'])?.toLowerCase();
  return {
    clientAddress,
    proto: proto === 'https' || proto === 'http' ? proto : ownProto,
    forwardedHost: firstValue(request.headers['x-forwarded-host']) ?? null,
  };
}

/** Rewrites a Node request's X-Forwarded-* headers to the resolved facts. */
export function applyForwardedFacts(
  headers: Record<string, string | string[] | undefined>,
  facts: ForwardedFacts,
): void {
  headers['x-forwarded-for'] = facts.clientAddress;
  headers['x-forwarded-proto'] = facts.proto;
  if (facts.forwardedHost) headers['x-forwarded-host'] = facts.forwardedHost;
  else delete headers['x-forwarded-host'];
  // Next.js fills these in itself when they are absent.
  delete headers['x-forwarded-port'];
  delete headers['forwarded'];
}
