/**
 * The real consumers: Flink's `canal-json` format and Apache Avro Java, each reading a whole
 * Kafka topic through its Java program, results as parsed JSON lines.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { runTool } from './tools';

/** The published DTS `Record` schema, as the formats package ships it byte for byte. */
export const dtsRecordSchemaFile = fileURLToPath(
  new URL('../../formats/src/dts-avro/Record.avsc', import.meta.url),
);

export interface FlinkDeclaration {
  /** Names the declaration in the output. */
  name: string;
  /** The table the declared schema reads (`canal-json.table.include`, a regular expression). */
  table: string;
  /** The physical row type in Flink SQL: `ROW<`id` INT, `price` DECIMAL(10, 2)>`. */
  rowType: string;
}

export interface FlinkRow {
  /** RowKind short string: `+I`, `-U`, `+U`, `-D`. */
  kind: string;
  /** Each declared field as text (see FlinkCanalRead.text), null for SQL NULL. */
  fields: Record<string, string | null>;
}

export interface FlinkLine {
  declaration: string;
  partition: number;
  offset: number;
  rows?: FlinkRow[];
  /** The root cause of the exception the deserializer threw for the message. */
  error?: string;
}

const parseLines = <T>(stdout: string): T[] =>
  stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as T);

/** Every message of `topic`, deserialized once per declaration by Flink's canal-json format. */
export async function readWithFlinkCanalJson(options: {
  brokers: string[];
  topic: string;
  declarations: FlinkDeclaration[];
}): Promise<FlinkLine[]> {
  const directory = mkdtempSync(join(tmpdir(), 'tw-flink-'));
  try {
    const file = join(directory, 'declarations.tsv');
    writeFileSync(
      file,
      options.declarations.map((d) => `${d.name}\t${d.table}\t${d.rowType}\n`).join(''),
    );
    const { stdout } = await runTool('flink-canal-read', [
      '--brokers',
      options.brokers.join(','),
      '--topic',
      options.topic,
      '--declarations',
      file,
    ]);
    return parseLines<FlinkLine>(stdout);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

export interface AvroLine {
  partition: number;
  offset: number;
  /** Bytes of the value left after the record (0 when the writer used the same schema). */
  trailingBytes?: number;
  /** The record in Avro's JSON encoding: unions as `{ "full.type.Name": value }`, bytes as one char per byte. */
  record?: Record<string, unknown>;
  error?: string;
}

/** Every message of `topic` decoded by Avro Java's GenericDatumReader with the DTS schema. */
export async function readWithAvroJava(options: {
  brokers: string[];
  topic: string;
  schemaFile?: string;
}): Promise<AvroLine[]> {
  const { stdout } = await runTool('avro-read', [
    '--brokers',
    options.brokers.join(','),
    '--topic',
    options.topic,
    '--schema',
    options.schemaFile ?? dtsRecordSchemaFile,
  ]);
  return parseLines<AvroLine>(stdout);
}
