import type { AlertContext } from '../alerts';
import { BinlogCheckpointer, readStoredCheckpoint } from '../pipeline/checkpoint';
import type { TaskSink } from '../pipeline/sink';
import { createTransform, renameCreateTable } from '../pipeline/transform';
import { runFullMigration } from './full-migration';
import { runIncrementalMigration } from './incremental-migration';
import type { RunnerDependencies, RunnerTuning } from './run-settings';

/**
 * The stages of one run: schema migration, then full migration, then incremental migration,
 * each resumed from the checkpoint (`../pipeline/checkpoint.ts`).
 *
 * Full → incremental hand-over: the snapshot's watermark walk reconciles every change made while
 * it ran and reports where streaming starts; that position, with the table definitions read at
 * the same moment, is written as the first binlog checkpoint together with "full migration
 * done", so a crash right after the hand-over streams from exactly there.
 */
export async function runStages(
  deps: RunnerDependencies,
  tuning: RunnerTuning,
  alerts: AlertContext,
  onProgress: () => void,
): Promise<void> {
  const { config, runs, taskId, epoch } = deps;
  const source = await deps.openSource(tuning);
  let sink: TaskSink | null = null;
  try {
    sink = await deps.openSink(source.info);
    const checkpoint = await readStoredCheckpoint(runs, taskId);
    const { snapshot } = checkpoint;
    const transform = createTransform(config, source.compileFilter);
    const checkpointer = new BinlogCheckpointer(runs, taskId, epoch);
    const needsTables =
      (config.stages.schema && !snapshot.isSchemaDone) ||
      (config.stages.full && !snapshot.isFullDone);
    const tables = needsTables ? await source.planTables() : [];
    onProgress();

    if (config.stages.schema && !snapshot.isSchemaDone) {
      await runs.setStage(taskId, epoch, 'schema');
      const { names } = transform;
      await sink.publishSchemas(
        tables.map((table) => ({
          schema: names.tableSchema(table.schema),
          createTable: renameCreateTable(
            table.createTable,
            names.table(table.database, table.table),
          ),
        })),
      );
      snapshot.isSchemaDone = true;
      await runs.writeCheckpoint(taskId, epoch, { snapshot });
      await deps.tasks.appendEvent(taskId, {
        level: 'info',
        kind: 'stage_done',
        message: `Schema migration done: ${tables.length} table schema(s) published.`,
      });
    }

    let binlog = checkpoint.binlog;
    let start: Awaited<ReturnType<BinlogCheckpointer['begin']>> | null = null;
    if (config.stages.full && !snapshot.isFullDone) {
      await runs.setStage(taskId, epoch, 'full');
      const streamFrom = await runFullMigration(
        deps,
        tuning,
        { source, transform, sink },
        tables,
        snapshot,
        onProgress,
      );
      snapshot.isFullDone = true;
      snapshot.resume = null;
      const position = streamFrom ?? (await source.currentPosition());
      snapshot.startPosition = position;
      binlog = { position, schemaHistory: await source.readSchemaHistory(), schemaHistoryId: null };
      // "Full migration done" and the first binlog checkpoint are one write.
      start = await checkpointer.begin(binlog, { snapshot });
      await deps.tasks.appendEvent(taskId, {
        level: 'info',
        kind: 'stage_done',
        message: 'Full data migration done.',
      });
    }

    if (config.stages.incremental) {
      await runs.setStage(taskId, epoch, 'incremental');
      // Resume where the last acknowledged commit left off, or where the snapshot handed over;
      // incremental migration alone starts from now. Position and history travel together.
      if (binlog === null) {
        const position = await source.currentPosition();
        snapshot.startPosition = position;
        binlog = {
          position,
          schemaHistory: await source.readSchemaHistory(),
          schemaHistoryId: null,
        };
      }
      start ??= await checkpointer.begin(binlog, { snapshot });
      await runIncrementalMigration(
        deps,
        tuning,
        alerts,
        { source, transform, sink, checkpointer },
        start,
        onProgress,
      );
    }
  } finally {
    await sink?.close();
    await source.close();
  }
}
