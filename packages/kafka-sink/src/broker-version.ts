/**
 * "Which Kafka is this?", as far as the protocol tells: one ApiVersions request (KIP-35), which
 * every broker since 0.10.0 answers before authentication, also on a SASL listener. kafkajs
 * keeps its ApiVersions answer private, so the request is written here, on its own socket:
 *
 * - ApiVersions v3 (KIP-511, header v2) first. A KRaft broker (3.0+) lists the
 *   `metadata.version` feature among its supported features (KIP-584, KIP-778); its highest
 *   level names the broker's release exactly (`MetadataVersion` of Kafka's server-common:
 *   level 21 is 3.9-IV0, and so on, table below).
 * - Otherwise the API keys and their max versions bracket the release: each release added a
 *   request type or a version, and the newest such marker present, with the next one absent,
 *   gives the release (the marker table below, from Kafka's protocol message definitions).
 * - A broker too old for v3 answers UNSUPPORTED_VERSION with a v0 body (KIP-511), and we ask
 *   again with v0.
 * The local stack's 3.9 broker is the one checked by the tests; older markers come from the
 * protocol history and are documented, not tested.
 */
import { connect as connectTcp, isIP, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { brokerAddresses } from '@tidewater/config';
import { TidewaterError } from '@tidewater/errors';
import type { KafkaConnection } from './connection';
import { describeSecurity, errorContext, kafkaSecurity } from './connection';
import { translateKafkaError } from './kafka-errors';

export interface ApiVersionRange {
  apiKey: number;
  min: number;
  max: number;
}

export interface ApiVersionsAnswer {
  apiVersions: ApiVersionRange[];
  /** Supported features (name → max level), when the broker speaks v3. */
  supportedFeatures: Record<string, number>;
}

export interface BrokerVersion {
  broker: string;
  /** The oldest and newest release consistent with the answer; `max` null = "or later". */
  release: { min: string; max: string | null };
  /** `3.9`, `2.4`, `3.0 or later`: also what `String(version)` gives. */
  version: string;
  /** `Kafka 3.9`, `Kafka 2.4`, `Kafka 3.0 or later`. */
  description: string;
  /** `metadata.version` feature level when the broker reports it (KRaft). */
  metadataVersionLevel: number | null;
  apiVersions: ApiVersionRange[];
  /** The `version` text, so a template or `String()` reads naturally. */
  toString(): string;
}

/**
 * `metadata.version` levels and their releases, as `MetadataVersion` of Kafka 3.9.1 lists them
 * (`featureLevel()` → `version()`): one release per level range.
 */
const METADATA_VERSION_RELEASES: Array<[number, string]> = [
  [1, '3.0'],
  [2, '3.1'],
  [3, '3.2'],
  [4, '3.3'],
  [8, '3.4'],
  [9, '3.5'],
  [12, '3.6'],
  [15, '3.7'],
  [20, '3.8'],
  [21, '3.9'],
];
/** Levels above this are newer than the table (4.0 and later). */
const NEWEST_KNOWN_LEVEL = 21;

type Marker = (versions: Map<number, number>) => boolean;
const has =
  (apiKey: number, minMax = 0): Marker =>
  (versions) =>
    (versions.get(apiKey) ?? -1) >= minMax;

/**
 * The first release with each marker, oldest first (Kafka protocol message definitions and
 * KIPs): a release is the newest whose marker is present.
 */
const API_MARKERS: Array<[string, Marker]> = [
  ['0.10.0', has(18)], // ApiVersions itself (KIP-35)
  ['0.10.1', has(20)], // DeleteTopics
  ['0.10.2', has(19, 1)], // CreateTopics v1 (KIP-108)
  ['0.11.0', has(32)], // DescribeConfigs (KIP-133)
  ['1.0', has(36)], // SaslAuthenticate (KIP-152)
  ['1.1', has(42)], // DeleteGroups (KIP-229)
  ['2.0', has(0, 6)], // Produce v6 (KIP-219)
  ['2.1', has(0, 7)], // Produce v7 (KIP-110, zstd)
  ['2.2', has(43)], // ElectLeaders (KIP-183)
  ['2.3', has(44)], // IncrementalAlterConfigs (KIP-339)
  ['2.4', has(47)], // OffsetDelete (KIP-496)
  ['2.5', has(22, 3)], // InitProducerId v3 (KIP-360)
  ['2.6', has(48)], // DescribeClientQuotas (KIP-546)
  ['2.7', has(51)], // AlterUserScramCredentials (KIP-554)
  ['2.8', has(60)], // DescribeCluster (KIP-700)
  ['3.0', has(66)], // ListTransactions (KIP-664)
];

/** The release range an ApiVersions answer implies (pure; see the module comment). */
export function releaseOf(
  answer: ApiVersionsAnswer,
): Omit<BrokerVersion, 'broker' | 'apiVersions' | 'toString'> {
  const level = answer.supportedFeatures['metadata.version'];
  if (level !== undefined && level >= 1) {
    if (level > NEWEST_KNOWN_LEVEL) {
      return {
        release: { min: '4.0', max: null },
        version: '4.0 or later',
        description: `Kafka 4.0 or later (metadata.version level ${level})`,
        metadataVersionLevel: level,
      };
    }
    let release = '3.0';
    for (const [from, name] of METADATA_VERSION_RELEASES) if (level >= from) release = name;
    return {
      release: { min: release, max: release },
      version: release,
      description: `Kafka ${release}`,
      metadataVersionLevel: level,
    };
  }
  const versions = new Map(answer.apiVersions.map((v) => [v.apiKey, v.max]));
  let newest = -1;
  API_MARKERS.forEach(([, marker], i) => {
    if (marker(versions)) newest = i;
  });
  if (newest < 0) {
    return {
      release: { min: '0.10.0', max: null },
      version: '0.10.0 or later',
      description: 'Kafka 0.10.0 or later',
      metadataVersionLevel: null,
    };
  }
  const min = API_MARKERS[newest]![0];
  const isNewestMarker = newest === API_MARKERS.length - 1;
  return {
    release: { min, max: isNewestMarker ? null : min },
    version: isNewestMarker ? `${min} or later` : min,
    description: isNewestMarker ? `Kafka ${min} or later` : `Kafka ${min}`,
    metadataVersionLevel: null,
  };
}

// --- the wire: Kafka protocol primitives (Kafka protocol guide, "Protocol Primitive Types") ---

function unsignedVarint(n: number): Buffer {
  const bytes: number[] = [];
  let value = n >>> 0;
  while (value >= 0x80) {
    bytes.push((value & 0x7f) | 0x80);
    value >>>= 7;
  }
  bytes.push(value);
  return Buffer.from(bytes);
}

function compactString(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  return Buffer.concat([unsignedVarint(bytes.length + 1), bytes]);
}

/** An ApiVersions request, size-prefixed: header v1 for v0, header v2 (flexible) for v3. */
export function apiVersionsRequest(version: 0 | 3, correlationId: number): Buffer {
  const clientId = Buffer.from('tidewater', 'utf8');
  const header = Buffer.alloc(10 + clientId.length);
  header.writeInt16BE(18, 0);
  header.writeInt16BE(version, 2);
  header.writeInt32BE(correlationId, 4);
  header.writeInt16BE(clientId.length, 8);
  clientId.copy(header, 10);
  const parts =
    version === 3
      ? [
          header,
          Buffer.from([0]),
          compactString('tidewater'),
          compactString('0.1.0'),
          Buffer.from([0]),
        ]
      : [header];
  const body = Buffer.concat(parts);
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length, 0);
  return Buffer.concat([size, body]);
}

class Reader {
  constructor(
    private readonly buffer: Buffer,
    public offset = 0,
  ) {}
  int16(): number {
    const v = this.buffer.readInt16BE(this.offset);
    this.offset += 2;
    return v;
  }
  int32(): number {
    const v = this.buffer.readInt32BE(this.offset);
    this.offset += 4;
    return v;
  }
  uvarint(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = this.buffer[this.offset++]!;
      result |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result >>> 0;
      shift += 7;
    }
  }
  compactString(): string {
    const length = this.uvarint() - 1;
    const text = this.buffer.toString('utf8', this.offset, this.offset + length);
    this.offset += length;
    return text;
  }
  skip(bytes: number): void {
    this.offset += bytes;
  }
  skipTaggedFields(): void {
    const count = this.uvarint();
    for (let i = 0; i < count; i++) {
      this.uvarint();
      this.skip(this.uvarint());
    }
  }
}

const UNSUPPORTED_VERSION = 35;

/**
 * Parses an ApiVersions response body (after the size and the correlation id). Returns null
 * when the broker refused v3 (error 35) so the caller retries with v0.
 */
export function parseApiVersionsResponse(body: Buffer, version: 0 | 3): ApiVersionsAnswer | null {
  const reader = new Reader(body);
  const errorCode = reader.int16();
  if (errorCode === UNSUPPORTED_VERSION && version === 3) return null;
  if (errorCode !== 0) throw new Error(`ApiVersions error code ${errorCode}`);
  const apiVersions: ApiVersionRange[] = [];
  const count = version === 3 ? reader.uvarint() - 1 : reader.int32();
  for (let i = 0; i < count; i++) {
    apiVersions.push({ apiKey: reader.int16(), min: reader.int16(), max: reader.int16() });
    if (version === 3) reader.skipTaggedFields();
  }
  const supportedFeatures: Record<string, number> = {};
  if (version === 3) {
    reader.int32(); // throttle_time_ms
    const tags = reader.uvarint();
    for (let t = 0; t < tags; t++) {
      const tag = reader.uvarint();
      const size = reader.uvarint();
      const end = reader.offset + size;
      if (tag === 0) {
        // SupportedFeatures: name, min_version, max_version, tagged fields.
        const features = reader.uvarint() - 1;
        for (let f = 0; f < features; f++) {
          const name = reader.compactString();
          reader.int16();
          supportedFeatures[name] = reader.int16();
          reader.skipTaggedFields();
        }
      }
      reader.offset = end;
    }
  }
  return { apiVersions, supportedFeatures };
}

function brokerUnreachable(
  connection: KafkaConnection,
  reason: string,
  cause?: unknown,
): TidewaterError {
  const brokers = brokerAddresses(connection);
  return new TidewaterError(
    'KAFKA_UNREACHABLE',
    `Kafka at ${brokers.join(', ')} (${describeSecurity(connection)}) did not answer ApiVersions: ${reason}.`,
    {
      category: 'unavailable',
      isRetryable: true,
      remedy:
        'Check the broker hosts and port, that the broker runs, and that the listener speaks the ' +
        'chosen security (TLS on exactly when the listener uses it).',
      details: { brokers },
      cause,
    },
  );
}

/**
 * One conversation on one socket: `next(null)` gives the first request, `next(body)` the
 * request after each response body (size and correlation id stripped), null to hang up.
 */
async function converse(
  connection: KafkaConnection,
  address: string,
  next: (body: Buffer | null) => Buffer | null,
  timeoutMs: number,
): Promise<void> {
  const colon = address.lastIndexOf(':');
  const host = address.slice(0, colon).replace(/^\[|\]$/g, '');
  const port = Number(address.slice(colon + 1));
  await new Promise<void>((resolve, reject) => {
    // The TLS options the clients use (CA, check, client certificate): one mapping for both.
    const tls = kafkaSecurity(connection).tls;
    const socket: Socket =
      tls !== undefined
        ? connectTls({ host, port, ...(isIP(host) === 0 ? { servername: host } : {}), ...tls })
        : connectTcp({ host, port });
    let pending = Buffer.alloc(0);
    let isDone = false;
    // The way out: a broker that accepts the connection but never answers.
    const timer = setTimeout(
      () => finish(new Error(`no answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    function finish(error?: Error): void {
      if (isDone) return;
      isDone = true;
      clearTimeout(timer);
      socket.destroy();
      if (error === undefined) resolve();
      else reject(error);
    }
    socket.once(connection.tls.enabled ? 'secureConnect' : 'connect', () => {
      const first = next(null);
      if (first === null) finish();
      else socket.write(first);
    });
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
        const size = pending.readInt32BE(0);
        const body = pending.subarray(8, 4 + size);
        pending = pending.subarray(4 + size);
        const request = next(body);
        if (request === null) return finish();
        socket.write(request);
      }
    });
    socket.on('error', (error) => finish(error));
    socket.on('close', () => finish(new Error('the broker closed the connection')));
  });
}

/** Asks the first broker that answers for its API versions (v3, falling back to v0). */
export async function fetchApiVersions(
  connection: KafkaConnection,
  timeoutMs = 5_000,
): Promise<{ broker: string; answer: ApiVersionsAnswer }> {
  const failures: string[] = [];
  let tlsFailure: TidewaterError | undefined;
  for (const address of brokerAddresses(connection)) {
    let answer: ApiVersionsAnswer | null = null;
    let version: 0 | 3 = 3;
    try {
      await converse(
        connection,
        address,
        (body) => {
          if (body === null) return apiVersionsRequest(3, 1);
          answer = parseApiVersionsResponse(body, version);
          if (answer === null && version === 3) {
            version = 0;
            return apiVersionsRequest(0, 2);
          }
          return null;
        },
        timeoutMs,
      );
    } catch (error) {
      failures.push(`${address}: ${error instanceof Error ? error.message : String(error)}`);
      // A certificate problem has its own code: a retry or another broker would not help.
      const translated = translateKafkaError(error, errorContext(connection), 'connect');
      if (translated.code.startsWith('KAFKA_TLS_')) tlsFailure ??= translated;
      continue;
    }
    if (answer !== null) return { broker: address, answer };
    failures.push(`${address}: no ApiVersions answer`);
  }
  throw tlsFailure ?? brokerUnreachable(connection, failures.join('; '));
}

/** The broker's Kafka release as far as ApiVersions tells (see the module comment). */
export async function describeBrokerVersion(connection: KafkaConnection): Promise<BrokerVersion> {
  const { broker, answer } = await fetchApiVersions(connection);
  const release = releaseOf(answer);
  return {
    broker,
    ...release,
    apiVersions: answer.apiVersions,
    toString: () => release.version,
  };
}
