import type { Database } from './client';
import { guardDatabase } from './database-errors';

export interface WorkerHeartbeatView {
  id: string;
  host: string;
  pid: number;
  startedAt: string;
  seenAt: string;
}

export async function recordHeartbeat(
  db: Database,
  worker: { id: string; host: string; pid: number; startedAt: Date },
): Promise<void> {
  const seenAt = new Date();
  await guardDatabase(() =>
    db.workerHeartbeat.upsert({
      where: { id: worker.id },
      create: { ...worker, seenAt },
      update: { seenAt },
    }),
  );
}

export async function listHeartbeats(db: Database, since: Date): Promise<WorkerHeartbeatView[]> {
  const rows = await guardDatabase(() =>
    db.workerHeartbeat.findMany({
      where: { seenAt: { gte: since } },
      orderBy: { seenAt: 'desc' },
    }),
  );
  return rows.map((row) => ({
    id: row.id,
    host: row.host,
    pid: row.pid,
    startedAt: row.startedAt.toISOString(),
    seenAt: row.seenAt.toISOString(),
  }));
}

export async function removeHeartbeat(db: Database, id: string): Promise<void> {
  await guardDatabase(() => db.workerHeartbeat.deleteMany({ where: { id } }));
}
