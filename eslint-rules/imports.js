/**
 * The project's import rules, as ESLint rules (run by `npm run lint`, so by `npm test`):
 *
 * - `tidewater/layering`: imports go downward only. Each workspace may import the workspaces its
 *   layer allows (LAYERS below, the picture in the top README), and every package it imports is
 *   declared in its package.json: runtime code in `dependencies`, tests and benchmarks in either.
 * - `tidewater/no-cycle`: no file reaches itself again through relative imports (type-only
 *   imports included: a cycle of types still ties the files together).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

const repoRoot = resolve(dirname(new URL(import.meta.url).pathname), '..');

/**
 * Which workspaces each workspace's runtime code may import. Tests, end-to-end tests and
 * benchmarks may also import the test kit and the stack (TEST_ONLY). `null`: any declared one
 * (the packages that exist to test or measure the others).
 */
export const LAYERS = {
  '@tidewater/web': [
    '@tidewater/engine',
    '@tidewater/db',
    '@tidewater/config',
    '@tidewater/errors',
  ],
  '@tidewater/worker': [
    '@tidewater/engine',
    '@tidewater/db',
    '@tidewater/config',
    '@tidewater/errors',
  ],
  '@tidewater/cli': ['@tidewater/config', '@tidewater/errors'],
  '@tidewater/engine': [
    '@tidewater/mysql-source',
    '@tidewater/formats',
    '@tidewater/kafka-sink',
    '@tidewater/db',
    '@tidewater/config',
    '@tidewater/change-events',
    '@tidewater/errors',
  ],
  '@tidewater/mysql-source': ['@tidewater/config', '@tidewater/change-events', '@tidewater/errors'],
  '@tidewater/kafka-sink': ['@tidewater/config', '@tidewater/errors'],
  '@tidewater/formats': ['@tidewater/change-events', '@tidewater/errors'],
  '@tidewater/db': ['@tidewater/config', '@tidewater/errors'],
  '@tidewater/config': ['@tidewater/errors'],
  '@tidewater/change-events': [],
  '@tidewater/errors': [],
  '@tidewater/stack': ['@tidewater/db', '@tidewater/errors'],
  '@tidewater/test-kit': null,
  '@tidewater/conformance': null,
  '@tidewater/bench': null,
};
const TEST_ONLY = ['@tidewater/stack', '@tidewater/test-kit'];

/** Every workspace `name`'s runtime code reaches through LAYERS (itself excluded). */
function reachableFrom(name, seen = new Set()) {
  for (const next of LAYERS[name] ?? []) {
    if (!seen.has(next)) {
      seen.add(next);
      reachableFrom(next, seen);
    }
  }
  return seen;
}

function isTestFile(file) {
  return (
    /\.test\.tsx?$/.test(file) ||
    /[/\\](test|e2e|bench)[/\\]/.test(file) ||
    /[/\\]testing\.ts$/.test(file) ||
    /[/\\]test-fixtures\.ts$/.test(file)
  );
}

const manifestCache = new Map();
/** The nearest package.json above `file` (a workspace's, or the root's). */
function manifestOf(file) {
  let dir = dirname(file);
  for (;;) {
    if (manifestCache.has(dir)) return manifestCache.get(dir);
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      const json = JSON.parse(readFileSync(candidate, 'utf8'));
      const manifest = {
        dir,
        name: json.name,
        dependencies: new Set(Object.keys({ ...json.dependencies, ...json.peerDependencies })),
        devDependencies: new Set(Object.keys({ ...json.devDependencies })),
      };
      manifestCache.set(dir, manifest);
      return manifest;
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function rootManifest() {
  return manifestOf(join(repoRoot, 'package.json'));
}

/** `./x`, `../x`, and the web app's `@/x` (its tsconfig maps `@/*` to the app's folder). */
function isLocal(specifier) {
  return specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('@/');
}

/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`; relative and builtins → undefined. */
function packageNameOf(specifier) {
  if (isLocal(specifier)) return undefined;
  if (specifier.startsWith('node:') || builtinModules.includes(specifier.split('/')[0])) {
    return undefined;
  }
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

const layering = {
  meta: {
    type: 'problem',
    docs: { description: 'imports go downward only, and every imported package is declared' },
    schema: [],
  },
  create(context) {
    const file = context.filename;
    const manifest = manifestOf(file);
    if (!manifest || manifest.dir === repoRoot) return {};
    const test = isTestFile(file);
    const allowed = LAYERS[manifest.name];
    function check(node, specifier) {
      if (typeof specifier !== 'string') return;
      if (specifier.startsWith('.')) {
        const target = resolve(dirname(file), specifier);
        if (!target.startsWith(manifest.dir + sep)) {
          context.report({
            node,
            message: `"${specifier}" reaches into another package's files; import that package by name (its entry point), or move what is shared to @tidewater/test-kit.`,
          });
        }
        return;
      }
      const name = packageNameOf(specifier);
      if (name === undefined || name === manifest.name) return;
      // Test tooling (vitest, playwright-core) is declared once, in the root package.json.
      const declared =
        manifest.dependencies.has(name) ||
        (test && (manifest.devDependencies.has(name) || rootManifest().devDependencies.has(name)));
      if (!declared) {
        context.report({
          node,
          message: `${manifest.name} imports "${name}" without declaring it in ${relative(repoRoot, join(manifest.dir, 'package.json'))} (${test ? 'dependencies or devDependencies, or the root devDependencies for test tooling' : 'dependencies'}).`,
        });
        return;
      }
      if (!name.startsWith('@tidewater/') || allowed === null) return;
      if (allowed === undefined) {
        context.report({
          node,
          message: `${manifest.name} has no layer in eslint-rules/imports.js.`,
        });
        return;
      }
      if (allowed.includes(name) || (test && TEST_ONLY.includes(name))) return;
      // A test may reach across layers (a CLI test reads the control database), but never into
      // a package that depends on its own: that would tie the two packages in a cycle.
      if (test && !reachableFrom(name).has(manifest.name)) return;
      context.report({
        node,
        message: `${manifest.name} may not import ${name}: imports go downward only (apps → engine → mysql-source | formats | kafka-sink | db → config → errors; see eslint-rules/imports.js).`,
      });
    }
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
    };
  },
};

const EXTENSIONS = ['.ts', '.tsx', '.mts', '.js', '.mjs', '/index.ts', '/index.tsx'];
const importsCache = new Map();

function resolveRelative(fromFile, specifier) {
  const base = specifier.startsWith('@/')
    ? join(manifestOf(fromFile)?.dir ?? dirname(fromFile), specifier.slice(2))
    : resolve(dirname(fromFile), specifier);
  const stripped = base.replace(/\.(m?js)$/, '');
  for (const candidate of [base, ...EXTENSIONS.map((e) => stripped + e)]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

/** The files `file` imports with relative specifiers (any import, export-from or import()). */
function relativeImportsOf(file) {
  let imports = importsCache.get(file);
  if (imports) return imports;
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  imports = [];
  for (const ref of info.importedFiles) {
    if (!isLocal(ref.fileName)) continue;
    const target = resolveRelative(file, ref.fileName);
    if (target && /\.(m?ts|tsx)$/.test(target)) imports.push(target);
  }
  importsCache.set(file, imports);
  return imports;
}

/** A shortest path of relative imports from `start` back to `target`, or undefined. */
function findPathBack(start, target) {
  const previous = new Map([[start, undefined]]);
  const queue = [start];
  while (queue.length > 0) {
    const file = queue.shift();
    for (const next of relativeImportsOf(file)) {
      if (next === target) {
        const path = [file];
        for (let at = previous.get(file); at !== undefined; at = previous.get(at)) path.unshift(at);
        return path;
      }
      if (!previous.has(next)) {
        previous.set(next, file);
        queue.push(next);
      }
    }
  }
  return undefined;
}

const noCycle = {
  meta: {
    type: 'problem',
    docs: { description: 'no import cycles between files' },
    schema: [],
  },
  create(context) {
    const file = resolve(context.filename);
    return {
      'Program:exit'(program) {
        if (!/\.(m?ts|tsx)$/.test(file)) return;
        for (const target of relativeImportsOf(file)) {
          const path = findPathBack(target, file);
          if (path === undefined) continue;
          const names = [file, ...path, file].map((f) =>
            relative(repoRoot, f).split(sep).join('/'),
          );
          context.report({ node: program, message: `Import cycle: ${names.join(' → ')}.` });
          return;
        }
      },
    };
  },
};

export default { rules: { layering, 'no-cycle': noCycle } };
