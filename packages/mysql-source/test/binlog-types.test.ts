import { afterAll, beforeAll, describe, it } from 'vitest';
import { checkTypeMatrix } from './binlog-type-matrix';
import { createScratchDatabase, type ScratchDatabase } from './source-fixture';

describe('binlog stream type matrix (the source as configured, binlog_row_metadata=FULL)', () => {
  let scratch: ScratchDatabase;
  beforeAll(async () => {
    scratch = await createScratchDatabase('binlog_types');
  });
  afterAll(async () => {
    await scratch.drop();
  });

  it('decodes every type family to the value SELECT returns', async () => {
    await checkTypeMatrix(scratch);
  });
});
