import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/client';

export type Database = InstanceType<typeof PrismaClient>;

/**
 * A Prisma client over node-postgres. Prisma's query compiler runs in-process (no native
 * engine), so the client works wherever Node does.
 */
export function createDatabase(databaseUrl: string): Database {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl, max: 10 }) });
}
