import { describe, expect, it } from 'vitest';
import type { ApiVersionRange } from './broker-version';
import { apiVersionsRequest, parseApiVersionsResponse, releaseOf } from './broker-version';

/** API keys and max versions of the local stack's Kafka 3.9.1 broker (ApiVersions v3). */
const KAFKA_3_9: Array<[number, number]> = [
  [0, 11],
  [1, 17],
  [2, 9],
  [3, 12],
  [8, 9],
  [9, 9],
  [10, 6],
  [11, 9],
  [12, 4],
  [13, 5],
  [14, 5],
  [15, 5],
  [16, 5],
  [17, 1],
  [18, 4],
  [19, 7],
  [20, 6],
  [21, 2],
  [22, 5],
  [23, 4],
  [24, 5],
  [25, 4],
  [26, 4],
  [27, 1],
  [28, 4],
  [29, 3],
  [30, 3],
  [31, 3],
  [32, 4],
  [33, 2],
  [34, 2],
  [35, 4],
  [36, 2],
  [37, 3],
  [38, 3],
  [39, 2],
  [40, 2],
  [41, 3],
  [42, 2],
  [43, 2],
  [44, 1],
  [45, 0],
  [46, 0],
  [47, 0],
  [48, 1],
  [49, 1],
  [50, 0],
  [51, 0],
  [55, 2],
  [57, 1],
  [60, 1],
  [61, 0],
  [64, 0],
  [65, 0],
  [66, 1],
  [68, 0],
  [69, 0],
  [74, 0],
  [75, 0],
  [80, 0],
  [81, 0],
];

const ranges = (pairs: Array<[number, number]>): ApiVersionRange[] =>
  pairs.map(([apiKey, max]) => ({ apiKey, min: 0, max }));

describe('releaseOf', () => {
  it('names the release exactly from the metadata.version feature', () => {
    const apiVersions = ranges(KAFKA_3_9);
    expect(releaseOf({ apiVersions, supportedFeatures: { 'metadata.version': 21 } })).toEqual({
      release: { min: '3.9', max: '3.9' },
      version: '3.9',
      description: 'Kafka 3.9',
      metadataVersionLevel: 21,
    });
    expect(
      releaseOf({ apiVersions, supportedFeatures: { 'metadata.version': 17 } }).description,
    ).toBe('Kafka 3.7');
    expect(
      releaseOf({ apiVersions, supportedFeatures: { 'metadata.version': 7 } }).description,
    ).toBe('Kafka 3.3');
    expect(releaseOf({ apiVersions, supportedFeatures: { 'metadata.version': 25 } })).toMatchObject(
      {
        release: { min: '4.0', max: null },
      },
    );
  });

  it('brackets the release by API markers when there is no feature', () => {
    expect(releaseOf({ apiVersions: ranges(KAFKA_3_9), supportedFeatures: {} }).description).toBe(
      'Kafka 3.0 or later',
    );
    const upTo = (key: number) => KAFKA_3_9.filter(([k]) => k <= key);
    // A 2.4 broker: OffsetDelete (47) but InitProducerId only up to v2.
    const v24 = upTo(47).map(([k, max]): [number, number] => (k === 22 ? [k, 2] : [k, max]));
    expect(releaseOf({ apiVersions: ranges(v24), supportedFeatures: {} }).release).toEqual({
      min: '2.4',
      max: '2.4',
    });
    // A 0.10.1 broker: up to DeleteTopics, CreateTopics v0 only.
    const v0101 = ranges([
      [0, 2],
      [1, 3],
      [18, 0],
      [19, 0],
      [20, 0],
    ]);
    expect(releaseOf({ apiVersions: v0101, supportedFeatures: {} }).description).toBe(
      'Kafka 0.10.1',
    );
  });
});

describe('ApiVersions wire format', () => {
  it('writes the v3 request with a flexible header and client software fields', () => {
    const request = apiVersionsRequest(3, 7);
    expect(request.readInt32BE(0)).toBe(request.length - 4);
    expect(request.readInt16BE(4)).toBe(18);
    expect(request.readInt16BE(6)).toBe(3);
    expect(request.readInt32BE(8)).toBe(7);
    expect(request.subarray(14, 23).toString()).toBe('tidewater');
    expect(request.subarray(23).toString('latin1')).toBe('\u0000\ntidewater\u00060.1.0\u0000');
  });

  it('reads a v0 answer, and asks for v0 when v3 is refused', () => {
    const v0 = Buffer.from([0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 2, 0, 18, 0, 0, 0, 1]);
    expect(parseApiVersionsResponse(v0, 0)).toEqual({
      apiVersions: [
        { apiKey: 0, min: 0, max: 2 },
        { apiKey: 18, min: 0, max: 1 },
      ],
      supportedFeatures: {},
    });
    const refused = Buffer.from([0, 35, 0, 0, 0, 0]);
    expect(parseApiVersionsResponse(refused, 3)).toBeNull();
  });
});
