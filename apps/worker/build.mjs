// The worker's production build: dist/main.mjs (the worker) and dist/migrate.mjs (applies the
// database migrations, for the image's `migrate` command), each one ES module with the workspace packages and
// every dependency bundled in, so it runs with plain `node` and needs no node_modules and no
// TypeScript loader (tsx compiles each module on every start and keeps its compiler in memory).
//
// dist/start.sh (from start.sh, with find-jemalloc.sh) starts dist/main.mjs with the worker's
// Node and malloc settings.
//
// Files the code reads beside its own module at run time:
// - packages/formats' Record.avsc (`new URL('./Record.avsc', import.meta.url)`) is copied into
//   dist/, beside the bundle;
// - @platformatic/wasm-utils' native.wasm (the Kafka producer's CRC32C; read with
//   `new URL('../dist/native.wasm', import.meta.url)`, which from dist/main.mjs is dist/ again)
//   is copied into dist/ too;
// - Prisma's query compiler (WebAssembly), which @prisma/client ships as a base64 string module:
//   written out as dist/query_compiler.wasm and read from there when the client first connects
//   (see `prismaWasmFromFile`), so its 2.3 MB of text is not kept for the life of the process,
//   in the bundle's source and again as the string it exported;
// - prisma/migrations: packages/db/src/migrate.ts looks three folders up from its module, and
//   dist/ sits at the same depth (apps/worker/dist), so the bundle finds the repository's (and
//   the image's /app/prisma/migrations) as the sources do.
import { copyFile, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const workerDir = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(workerDir, '../..');
const outdir = path.join(workerDir, 'dist');

const PRISMA_WASM_FILE = 'query_compiler.wasm';
let prismaWasmBase64 = null;

/**
 * Replaces @prisma/client's `query_compiler_*_bg.*.wasm-base64.mjs` (`export const wasm = '…'`)
 * with a module that reads the same bytes from dist/ when the client asks for them; keeps the
 * base64 text to write that file.
 */
const prismaWasmFromFile = {
  name: 'prisma-wasm-from-file',
  setup(builder) {
    builder.onLoad({ filter: /query_compiler_\w+_bg\.\w+\.wasm-base64\.mjs$/ }, async (args) => {
      const { wasm } = await import(pathToFileURL(args.path).href);
      if (prismaWasmBase64 !== null && prismaWasmBase64 !== wasm) {
        throw new Error('two different Prisma query compilers in one bundle');
      }
      prismaWasmBase64 = wasm;
      return {
        loader: 'js',
        contents: [
          "import { readFileSync } from 'node:fs';",
          '// The generated client reads `wasm` once, as Buffer.from(wasm, "base64"), which takes',
          '// an object by its Symbol.toPrimitive: the text exists only for that call.',
          'export const wasm = {',
          '  [Symbol.toPrimitive]: () =>',
          `    readFileSync(new URL('./${PRISMA_WASM_FILE}', import.meta.url)).toString('base64'),`,
          '};',
        ].join('\n'),
      };
    });
  },
};

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
  // Whitespace and syntax minified, identifiers kept: stack traces in the logs keep the
  // functions' names. Besides a smaller source (V8 keeps it in memory for the process's life),
  // minifying drops the comments, the only non-ASCII text in the dependencies: a source with
  // one non-ASCII character is held as two bytes per character.
  minifyWhitespace: true,
  minifySyntax: true,
  keepNames: true,
  legalComments: 'none',
  // Bundled CommonJS dependencies call require() for Node's built-ins.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  // Optional native accelerators the dependencies try and fall back from (msgpackr for BullMQ,
  // pg-native for pg): left to a require() that fails at run time, as without a bundle.
  external: ['msgpackr-extract', 'pg-native'],
  logLevel: 'warning',
  metafile: true,
  plugins: [prismaWasmFromFile],
});
if (prismaWasmBase64 === null) throw new Error('the bundle has no Prisma query compiler');
await writeFile(path.join(outdir, PRISMA_WASM_FILE), Buffer.from(prismaWasmBase64, 'base64'));
// The launcher with the worker's memory settings (start.sh says which and why), and the
// jemalloc lookup it sources.
for (const file of ['start.sh', 'find-jemalloc.sh']) {
  await copyFile(path.join(workerDir, file), path.join(outdir, file));
}
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
