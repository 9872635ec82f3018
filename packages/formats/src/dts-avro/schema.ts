/**
 * The published DTS Avro schema (`Record.avsc`, shipped byte for byte: a JSON array of the 14
 * named types, `Record` last, with `bornTimestamp`), loaded with `avsc` for decoding and for the
 * schema text a schema registry needs. Encoding does not go through `avsc` (see `dts-avro.ts`).
 */
import { readFileSync } from 'node:fs';
import avro from 'avsc';

const NAMESPACE = 'com.alibaba.dts.formats.avro';
export const RECORD_TYPE_NAME = `${NAMESPACE}.Record`;

let recordType: avro.Type | null = null;

/** The bundled schema file's text, exactly as published. */
export function readRecordAvsc(): string {
  // The one file read in this package: a data file that ships beside the code.
  return readFileSync(new URL('./Record.avsc', import.meta.url), 'utf8');
}

/** The `avsc` type of `Record` (full schema, with `bornTimestamp`). */
export function dtsRecordType(): avro.Type {
  if (recordType !== null) return recordType;
  const registry: Record<string, avro.Type> = {};
  avro.Type.forSchema(JSON.parse(readRecordAvsc()) as avro.Schema, { registry });
  const type = registry[RECORD_TYPE_NAME];
  if (type === undefined) throw new Error(`${RECORD_TYPE_NAME} missing from Record.avsc`);
  recordType = type;
  return type;
}

/**
 * The schema to register in a schema registry: `Record` alone with the other named types
 * inlined where first used (a registry subject holds one schema, not the file's array). Same
 * Parsing Canonical Form as the published file's `Record`.
 */
export function dtsAvroSchemaText(): string {
  return JSON.stringify(dtsRecordType().schema({ exportAttrs: true }));
}

/** A value of an image array as `avsc` decodes it: null or `{ "<full type name>": fields }`. */
export type DtsDecodedValue = null | Record<string, unknown>;

/** A decoded DTS Avro `Record`. */
export interface DtsRecord {
  version: number;
  id: number;
  sourceTimestamp: number;
  sourcePosition: string;
  safeSourcePosition: string;
  sourceTxid: string;
  source: { sourceType: string; version: string };
  operation: string;
  objectName: string | null;
  processTimestamps: number[] | null;
  tags: Record<string, string>;
  fields: null | string | Array<{ name: string; dataTypeNumber: number }>;
  beforeImages: null | string | DtsDecodedValue[];
  afterImages: null | string | DtsDecodedValue[];
  bornTimestamp: number;
}

/** Decodes one Kafka message value written by `encodeDtsAvro` (or by DTS). */
export function decodeDtsAvro(bytes: Buffer): DtsRecord {
  return dtsRecordType().fromBuffer(bytes) as DtsRecord;
}
