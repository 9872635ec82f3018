// Completes `next build`'s standalone output (.next/standalone) into the console's production
// build: server.ts bundled to plain JavaScript beside Next's own server.js (which it replaces:
// it keeps the trusted-proxy edge, the body limit and the clean shutdown), and the static files
// Next leaves out of the standalone folder. Then
//   node apps/web/.next/standalone/apps/web/server.mjs --port 3000 --hostname 0.0.0.0
// runs the console with no TypeScript loader and only the node_modules Next traced.
import { cp, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const webDir = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(webDir, '../..');
const standaloneAppDir = path.join(webDir, '.next/standalone', path.relative(root, webDir));

try {
  await stat(path.join(standaloneAppDir, 'server.js'));
} catch {
  throw new Error(
    `${path.relative(root, standaloneAppDir)}/server.js is missing: run next build (output: 'standalone') first.`,
  );
}

await build({
  entryPoints: [path.join(webDir, 'server.ts')],
  outfile: path.join(standaloneAppDir, 'server.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  // Next.js is loaded from the standalone node_modules, as its own server.js does, and so are
  // the Kafka clients, which next.config.ts keeps out of Next's bundles for the same reason:
  // @platformatic/kafka reads a WebAssembly file beside its own module at load time.
  external: ['next', '@platformatic/kafka', 'kafkajs'],
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
// Next serves these from the app's .next/static; `next build` does not copy them.
await cp(path.join(webDir, '.next/static'), path.join(standaloneAppDir, '.next/static'), {
  recursive: true,
});
console.log(`console build: ${path.relative(root, standaloneAppDir)}/server.mjs`);
