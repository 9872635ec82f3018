// The worker's production build: dist/main.mjs (the worker) and dist/migrate.mjs (applies the
// database migrations, for the image's `migrate` command), each one ES module with the workspace packages and
// every dependency bundled in, so it runs with plain `node` and needs no node_modules and no
// TypeScript loader (tsx compiles each module on every start and keeps its compiler in memory).
//
// Files the code reads beside its own module at run time:
// - packages/formats' Record.avsc (`new URL('./Record.avsc', import.meta.url)`) is copied into
//   dist/, beside the bundle;
// - @platformatic/wasm-utils' native.wasm (the Kafka producer's CRC32C; read with
//   `new URL('../dist/native.wasm', import.meta.url)`, which from dist/main.mjs is dist/ again)
//   is copied into dist/ too;
// - prisma/migrations: packages/db/src/migrate.ts looks three folders up from its module, and
//   dist/ sits at the same depth (apps/worker/dist), so the bundle finds the repository's (and
//   the image's /app/prisma/migrations) as the sources do.
import { copyFile, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const workerDir = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(workerDir, '../..');
const outdir = path.join(workerDir, 'dist');

await rm(outdir, { recursive: true, force: true });
await mkdir(outdir, { recursive: true });
const result = await build({
  entryPoints: {
    main: path.join(workerDir, 'src/main.ts'),
    migrate: path.join(root, 'packages/db/src/migrate-cli.ts'),
  },
  outdir,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  // Not minified: stack traces in the logs keep the functions' names.
  // Bundled CommonJS dependencies call require() for Node's built-ins.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  // Optional native accelerators the dependencies try and fall back from (msgpackr for BullMQ,
  // pg-native for pg): left to a require() that fails at run time, as without a bundle.
  external: ['msgpackr-extract', 'pg-native'],
  logLevel: 'warning',
  metafile: true,
});
await copyFile(
  path.join(root, 'packages/formats/src/dts-avro/Record.avsc'),
  path.join(outdir, 'Record.avsc'),
);
await copyFile(
  path.join(root, 'node_modules/@platformatic/wasm-utils/dist/native.wasm'),
  path.join(outdir, 'native.wasm'),
);
const bytes = Object.values(result.metafile.outputs).reduce((sum, output) => sum + output.bytes, 0);
console.log(
  `worker build: ${path.relative(root, outdir)}/main.mjs and migrate.mjs (${(bytes / 2 ** 20).toFixed(1)} MiB)`,
);
