/**
 * The sink stage: kafka-sink opened for one task. Events arrive transformed (selected, filtered,
 * renamed); `deliver` resolves once Kafka acknowledged every message built from them.
 */
import type { ChangeEvent, TableSchema } from '@tidewater/change-events';
import type { TaskConfig } from '@tidewater/config';
import { openKafkaSink, type KafkaLog } from '@tidewater/kafka-sink';

export interface TaskSink {
  /** Resolves after Kafka acknowledged every message built from `events`; bytes sent. */
  deliver(events: readonly ChangeEvent[]): Promise<{ bytes: number }>;
  /** Schema migration: each table's CREATE TABLE (destination names) to the DDL topic. */
  publishSchemas(
    tables: ReadonlyArray<{ schema: TableSchema; createTable: string }>,
  ): Promise<void>;
  close(): Promise<void>;
}

export async function openTaskSink(
  config: TaskConfig,
  source: { version: string; timeZone: string },
  log?: KafkaLog,
): Promise<TaskSink> {
  const sink = await openKafkaSink({
    destination: config.destination,
    format: config.format,
    partitionPolicy: config.partitionPolicy,
    source,
    // Record ids only need to increase with the stream: a millisecond clock at open keeps
    // them increasing across restarts without persisting a serial.
    firstId: Date.now(),
    // Fail a delivery after about ten seconds of broker trouble instead of minutes: the runner
    // then reports "retrying" with the error and retries from the checkpoint with its own
    // backoff, for the task's retry window.
    limits: { retries: 5, maxRetryTimeMs: 2_000 },
    ...(log ? { log } : {}),
  });
  return {
    async deliver(events) {
      const report = await sink.deliver(events);
      return { bytes: report.bytes };
    },
    async publishSchemas(tables) {
      if (tables.length === 0) return;
      await sink.publishTableSchema(tables);
    },
    close: () => sink.close(),
  };
}
