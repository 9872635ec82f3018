import type { RunRepository } from '@tidewater/db';
import { isTidewaterError } from '@tidewater/errors';
import { describe, expect, it } from 'vitest';
import { readStoredCheckpoint } from './checkpoint';

/** A repository that returns `stored` as the task's checkpoint row. */
function storing(stored: Partial<Awaited<ReturnType<RunRepository['readCheckpoint']>>> | null) {
  return {
    readCheckpoint: async () =>
      stored === null
        ? null
        : {
            position: null,
            schemaHistory: null,
            schemaHistoryId: null,
            snapshot: null,
            updatedAt: new Date(0).toISOString(),
            ...stored,
          },
  } as unknown as RunRepository;
}

const history = {
  version: 1,
  serverCharset: 'utf8mb4',
  isCaseInsensitive: false,
  databases: {},
  tables: [],
};
const position = { file: 'mariadb-bin.000003', pos: 1234, gtidSet: '0-1-77' };

describe('readStoredCheckpoint', () => {
  it('gives a task never run the empty checkpoint', async () => {
    expect(await readStoredCheckpoint(storing(null), 't')).toEqual({
      snapshot: {
        isSchemaDone: false,
        isFullDone: false,
        startPosition: null,
        startHistory: null,
        resume: null,
      },
      binlog: null,
    });
  });

  it('reads a binlog position with its schema history version', async () => {
    const stored = await readStoredCheckpoint(
      storing({
        position,
        schemaHistory: history,
        schemaHistoryId: '42',
        snapshot: { isFullDone: true },
      }),
      't',
    );
    expect(stored.binlog).toEqual({ position, schemaHistory: history, schemaHistoryId: '42' });
    expect(stored.snapshot.isFullDone).toBe(true);
  });

  it('resumes a checkpoint written before schema history versions from its snapshot state', async () => {
    const stored = await readStoredCheckpoint(
      storing({ snapshot: { isFullDone: true, startPosition: position, startHistory: history } }),
      't',
    );
    expect(stored.binlog).toEqual({ position, schemaHistory: history, schemaHistoryId: null });
  });

  it.each([
    ['a position without a file', { position: { pos: 4, gtidSet: null }, schemaHistory: history }],
    ['a negative position', { position: { ...position, pos: -1 }, schemaHistory: history }],
    ['a position without its history', { position, schemaHistory: { tables: 'x' } }],
    ['a snapshot key of the wrong type', { snapshot: { resume: { version: 1, lastKey: [true] } } }],
  ])('refuses %s with CHECKPOINT_INVALID and the way out', async (_label, row) => {
    const error = await readStoredCheckpoint(storing(row), 't').catch(
      (failure: unknown) => failure,
    );
    expect(isTidewaterError(error) && error.code).toBe('CHECKPOINT_INVALID');
    expect(isTidewaterError(error) && error.remedy).toMatch(/fromScratch/);
  });
});
