/**
 * The checkpoint stage: where a task resumes, written only for what Kafka acknowledged.
 *
 * Two resume points, each typed where it is made and validated with zod when read back from
 * PostgreSQL (a checkpoint that does not parse fails the task with a clear error instead of
 * resuming from the wrong place):
 * - the full migration's `SnapshotState`: stages done, and the snapshot's resume point (the
 *   table and key it reached, the binlog position its watermarks walked to);
 * - the binlog's: the position after the last acknowledged transaction and the table
 *   definitions it was written with. Definitions are stored as a version only when a DDL
 *   changed them (`BinlogCheckpointer`); a checkpoint references its version, so a task over a
 *   thousand tables writes a few hundred bytes per checkpoint, not its whole schema.
 */
import type { SourcePosition } from '@tidewater/change-events';
import type { RunRepository } from '@tidewater/db';
import { TidewaterError } from '@tidewater/errors';
import {
  SchemaState,
  type BinlogResumePoint,
  type SerializedSchemaHistory,
  type SnapshotResumePoint,
} from '@tidewater/mysql-source';
import { z } from 'zod';

const positionSchema = z.object({
  file: z.string().min(1),
  pos: z.number().int().nonnegative(),
  gtidSet: z.string().nullable(),
}) satisfies z.ZodType<SourcePosition>;

const keyValueSchema = z.union([z.string(), z.number(), z.object({ hex: z.string() })]);

const snapshotResumePointSchema = z.object({
  version: z.literal(1),
  database: z.string(),
  table: z.string(),
  lastKey: z.array(keyValueSchema).nullable(),
  rowsEmitted: z.number().int().nonnegative(),
  isTableDone: z.boolean(),
  position: positionSchema.nullable(),
  startPosition: positionSchema.nullable(),
}) satisfies z.ZodType<SnapshotResumePoint>;

const historySchema = z.custom<SerializedSchemaHistory>(
  (value) =>
    typeof value === 'object' &&
    value !== null &&
    (value as { version?: unknown }).version === 1 &&
    Array.isArray((value as { tables?: unknown }).tables),
  { message: 'not a schema history (version 1 with tables)' },
);

const snapshotStateSchema = z.object({
  /** The schema messages were published (schema migration done). */
  isSchemaDone: z.boolean().default(false),
  isFullDone: z.boolean().default(false),
  /** Where incremental migration started: set when the full migration ends. */
  startPosition: positionSchema.nullable().default(null),
  /** Checkpoints written before schema history versions kept the start's history here. */
  startHistory: historySchema.nullable().default(null),
  /** The source's snapshot resume point: where a restarted snapshot resumes. */
  resume: snapshotResumePointSchema.nullable().default(null),
});

export type SnapshotState = z.infer<typeof snapshotStateSchema>;

export interface StoredCheckpoint {
  snapshot: SnapshotState;
  /** The binlog resume point: the position and the definitions it was taken with. */
  binlog: {
    position: SourcePosition;
    schemaHistory: SerializedSchemaHistory;
    schemaHistoryId: string | null;
  } | null;
}

function checkpointInvalid(taskId: string, part: string, problem: string): TidewaterError {
  return new TidewaterError(
    'CHECKPOINT_INVALID',
    `The task's stored checkpoint (${part}) cannot be read: ${problem}.`,
    {
      category: 'invalid_input',
      remedy:
        'Restart the task with a fresh full migration (POST /api/tasks/{id}/restart {"fromScratch": true}).',
      details: { taskId, part },
    },
  );
}

function parsed<T>(taskId: string, part: string, schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw checkpointInvalid(
      taskId,
      part,
      `${issue?.path.join('.') || 'value'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return result.data;
}

/** Reads and validates the task's checkpoint; a task never run gets the empty one. */
export async function readStoredCheckpoint(
  runs: RunRepository,
  taskId: string,
): Promise<StoredCheckpoint> {
  const stored = await runs.readCheckpoint(taskId);
  const snapshot = parsed(taskId, 'snapshot', snapshotStateSchema, stored?.snapshot ?? {});
  let binlog: StoredCheckpoint['binlog'] = null;
  if (stored?.position != null) {
    binlog = {
      position: parsed(taskId, 'position', positionSchema, stored.position),
      schemaHistory: parsed(taskId, 'schema history', historySchema, stored.schemaHistory),
      schemaHistoryId: stored.schemaHistoryId,
    };
  } else if (snapshot.startPosition !== null && snapshot.startHistory !== null) {
    binlog = {
      position: snapshot.startPosition,
      schemaHistory: snapshot.startHistory,
      schemaHistoryId: null,
    };
  }
  return { snapshot, binlog };
}

/**
 * Writes binlog checkpoints: the position of an acknowledged resume point, referencing the
 * version of the table definitions it was taken with. A version is stored when the definitions
 * changed: a DDL makes a new state object, and the stream starts from the state `begin` gave.
 */
export class BinlogCheckpointer {
  private storedSchema: SchemaState | null = null;
  /** The stored version's JSON text, to tell a new state object with the same definitions. */
  private storedText: string | null = null;
  private storedId: string | null = null;

  constructor(
    private readonly runs: RunRepository,
    private readonly taskId: string,
    private readonly epoch: number,
  ) {}

  /**
   * Where a stream starts: the stored binlog checkpoint, or a new start (hand-over, incremental
   * only) written here with its definitions. Returns the definitions as the state the stream
   * starts from, so the first resume points reuse the stored version.
   */
  async begin(
    start: NonNullable<StoredCheckpoint['binlog']>,
    extra: { snapshot?: SnapshotState } = {},
  ): Promise<{ position: SourcePosition; schema: SchemaState }> {
    const schema = SchemaState.fromJSON(start.schemaHistory);
    this.storedText = JSON.stringify(schema.toJSON());
    if (start.schemaHistoryId === null) {
      this.storedId = await this.runs.saveSchemaHistory(
        this.taskId,
        this.epoch,
        start.schemaHistory,
      );
      await this.runs.writeCheckpoint(this.taskId, this.epoch, {
        position: start.position,
        schemaHistoryId: this.storedId,
        ...extra,
      });
    } else {
      this.storedId = start.schemaHistoryId;
    }
    this.storedSchema = schema;
    return { position: start.position, schema };
  }

  async write(resume: BinlogResumePoint, extra: { snapshot?: SnapshotState } = {}): Promise<void> {
    if (resume.schema !== this.storedSchema || this.storedId === null) {
      // A new state object: a DDL, perhaps of a table or database the task does not select,
      // which leaves the definitions as they were. Compared once per new object, not per write.
      const history = resume.schema.toJSON();
      const text = JSON.stringify(history);
      if (text !== this.storedText || this.storedId === null) {
        this.storedId = await this.runs.saveSchemaHistory(this.taskId, this.epoch, history);
        this.storedText = text;
      }
      this.storedSchema = resume.schema;
    }
    await this.runs.writeCheckpoint(this.taskId, this.epoch, {
      position: resume.position,
      schemaHistoryId: this.storedId,
      ...extra,
    });
  }
}
