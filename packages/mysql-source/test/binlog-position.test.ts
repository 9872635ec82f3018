import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTidewaterError } from '@tidewater/errors';
import { readBinlogPosition } from '../src/binlog/binlog-position';
import { connectSource, type SourceConnection } from '../src/connect';
import { sourceOptions } from './source-fixture';

/**
 * PolarDB-X 2.0 multi-stream binlog names a stream (`SHOW MASTER STATUS WITH 'stream'`). The
 * test source is MariaDB, which has no streams: a task that names one is refused with an
 * error that says so, instead of the server's syntax error.
 */
describe('readBinlogPosition', () => {
  let source: SourceConnection;

  beforeAll(async () => {
    source = await connectSource(sourceOptions());
  });
  afterAll(async () => {
    await source?.close();
  });

  it('reads the single binlog of a source without streams', async () => {
    const position = await readBinlogPosition(source.connection);
    expect(position.file).not.toBe('');
    expect(position.pos).toBeGreaterThan(0);
  });

  it('refuses a binlog stream on a server that has none, naming the server and the stream', async () => {
    const error = await readBinlogPosition(source.connection, { stream: 'group1_stream_0' }).then(
      () => null,
      (failure: unknown) => failure,
    );
    expect(isTidewaterError(error)).toBe(true);
    expect(error).toMatchObject({
      code: 'BINLOG_STREAM_UNSUPPORTED',
      category: 'invalid_input',
      message: expect.stringMatching(
        /^MariaDB \S+ has no binlog streams; "group1_stream_0" names a stream of a PolarDB-X 2\.0 multi-stream binlog\.$/,
      ),
      remedy: expect.stringContaining('Leave the binlog stream empty'),
    });
  });
});
