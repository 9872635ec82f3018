// Generates the Prisma client from prisma/schema.prisma.
//
// `prisma generate` itself only needs the schema WebAssembly module shipped in the npm package,
// but the CLI insists on downloading the native schema engine first, from a host that offline
// and firewalled machines cannot reach. When no engine is configured we point the CLI at a
// placeholder so generation works everywhere; migrations are applied by our own runner
// (packages/db/src/migrate.ts), so the native engine is never executed.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const env = { ...process.env };
env.PRISMA_SCHEMA_ENGINE_BINARY ??= process.platform === 'win32' ? 'cmd.exe' : '/bin/false';
env.PRISMA_HIDE_UPDATE_MESSAGE = '1';
const result = spawnSync('npx', ['--no-install', 'prisma', 'generate'], {
  cwd: root,
  env,
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
