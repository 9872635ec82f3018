/**
 * Confluent Schema Registry wire format ("Wire format" in the Confluent docs): magic byte 0, the
 * schema id as a 4-byte big-endian integer, then the Avro binary body. Used only when the
 * operator asked for a schema registry; DTS's own consumers read unframed values.
 */
import { TidewaterError } from '@tidewater/errors';

export function confluentFrame(schemaId: number, avroBody: Buffer): Buffer {
  if (!Number.isInteger(schemaId) || schemaId < 0 || schemaId > 0xffffffff) {
    throw new TidewaterError(
      'FORMAT_SCHEMA_ID_INVALID',
      `Schema id ${schemaId} is not a 32-bit unsigned integer.`,
      {
        category: 'internal',
        remedy: 'Use the id the schema registry returned when the schema was registered.',
        details: { schemaId },
      },
    );
  }
  const framed = Buffer.allocUnsafe(5 + avroBody.length);
  framed[0] = 0;
  framed.writeUInt32BE(schemaId, 1);
  avroBody.copy(framed, 5);
  return framed;
}
