/**
 * The source's current binlog position: where a stream started now would begin. The snapshot
 * reads it before and after each chunk (watermarks) and the stream starts from it.
 *
 * MySQL: `SHOW MASTER STATUS` (8.4: `SHOW BINARY LOG STATUS`) with `Executed_Gtid_Set`.
 * MariaDB: `SHOW MASTER STATUS` for file and position, `BINLOG_GTID_POS(file, pos)` for the GTID
 * state there (the last GTID per domain). PolarDB-X: `SHOW MASTER STATUS` without GTIDs;
 * multi-stream instances name a stream: `SHOW MASTER STATUS WITH 'group1_stream_0'` (PolarDB-X
 * docs, "Multi-stream binlog": `SHOW BINARY STREAMS` lists the streams). The position read
 * with a stream is in that stream's own files, so a dump started there follows that stream.
 * MySQL and MariaDB have no streams: naming one is refused (BINLOG_STREAM_UNSUPPORTED).
 */
import type { SourcePosition } from '@tidewater/change-events';
import { TidewaterError } from '@tidewater/errors';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { describeServer, detectServer, type ServerInfo } from '../flavour';

export interface ReadBinlogPositionOptions {
  /** PolarDB-X multi-stream binlog: the stream whose position to read. */
  stream?: string;
}

async function showMasterStatus(
  connection: Connection,
  suffix: string,
): Promise<RowDataPacket | undefined> {
  try {
    const [rows] = await connection.query<RowDataPacket[]>(`SHOW MASTER STATUS${suffix}`);
    return rows[0];
  } catch (error) {
    // MySQL 8.4 removed SHOW MASTER STATUS (ER_PARSE_ERROR).
    if ((error as { errno?: number }).errno !== 1064 || suffix !== '') throw error;
    const [rows] = await connection.query<RowDataPacket[]>('SHOW BINARY LOG STATUS');
    return rows[0];
  }
}

export async function readBinlogPosition(
  connection: Connection,
  options: ReadBinlogPositionOptions = {},
): Promise<SourcePosition> {
  const [versionRows] = await connection.query<RowDataPacket[]>(
    'SELECT VERSION() AS version, @@version_comment AS comment',
  );
  const server = detectServer(
    String(versionRows[0]?.version ?? ''),
    versionRows[0]?.comment === null ? null : String(versionRows[0]?.comment ?? ''),
  );
  if (options.stream && server.flavour !== 'polardbx') {
    throw binlogStreamUnsupported(server, options.stream);
  }
  const suffix = options.stream ? ` WITH ${connection.escape(options.stream)}` : '';
  const status = await showMasterStatus(connection, suffix);
  if (!status || !status.File) {
    throw new TidewaterError(
      'BINLOG_DISABLED',
      'The source has no binary log to read (SHOW MASTER STATUS is empty).',
      {
        category: 'unsupported',
        remedy:
          'Enable the binary log on the source (log_bin, binlog_format=ROW, binlog_row_image=FULL) and restart it.',
      },
    );
  }
  const file = String(status.File);
  const pos = Number(status.Position);
  switch (server.flavour) {
    case 'mariadb': {
      // BINLOG_GTID_POS gives the GTID state exactly at file:pos, where reading
      // @@gtid_binlog_pos separately could already include a later transaction.
      const [rows] = await connection.query<RowDataPacket[]>(
        'SELECT BINLOG_GTID_POS(?, ?) AS gtid',
        [file, pos],
      );
      const gtid = String(rows[0]?.gtid ?? '');
      return { file, pos, gtidSet: gtid === '' ? null : gtid };
    }
    case 'mysql': {
      const executed = String(status.Executed_Gtid_Set ?? '').replace(/\s+/g, '');
      return { file, pos, gtidSet: executed === '' ? null : executed };
    }
    case 'polardbx':
      return { file, pos, gtidSet: null };
  }
}

function binlogStreamUnsupported(server: ServerInfo, stream: string): TidewaterError {
  return new TidewaterError(
    'BINLOG_STREAM_UNSUPPORTED',
    `${describeServer(server)} has no binlog streams; "${stream}" names a stream of a PolarDB-X 2.0 multi-stream binlog.`,
    {
      category: 'invalid_input',
      remedy:
        "Leave the binlog stream empty to read this server's binlog, or point the task at the PolarDB-X 2.0 instance that has this stream.",
    },
  );
}
