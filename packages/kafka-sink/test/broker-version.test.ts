import { describe, expect, it } from 'vitest';
import { describeBrokerVersion } from '../src/index';
import { plainDestination, scramDestination } from '@tidewater/test-kit/stack';

describe('describeBrokerVersion', () => {
  it("reports the local broker's release on the plain and the SCRAM listener", async () => {
    const plain = await describeBrokerVersion(plainDestination('any'));
    expect(plain).toMatchObject({
      version: '3.9',
      description: 'Kafka 3.9',
      metadataVersionLevel: 21,
    });
    expect(String(plain)).toBe('3.9');
    expect(plain.apiVersions.find((v) => v.apiKey === 0)!.max).toBeGreaterThanOrEqual(9);
    // ApiVersions is answered before authentication, so even a wrong password gets the version.
    const sasl = await describeBrokerVersion(scramDestination('any', 'wrong-password'));
    expect(sasl.description).toBe('Kafka 3.9');
  });

  it('reports a closed port as KAFKA_UNREACHABLE', async () => {
    await expect(
      describeBrokerVersion(plainDestination('any', { hosts: '127.0.0.1:1' })),
    ).rejects.toMatchObject({ code: 'KAFKA_UNREACHABLE' });
  });
});
