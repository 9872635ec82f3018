import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { parseAllDocuments } from 'yaml';

/**
 * Validates Kubernetes manifests offline against the API's own schemas, the way
 * `kubectl apply --validate=strict` does on a cluster, in two passes over the same source:
 * - the JSON Schemas that `kubernetes-models` (pinned, see KUBERNETES_VERSION) compiles from
 *   the Kubernetes OpenAPI document, run with ajv: required fields, types, enums, formats;
 * - the TypeScript interfaces the same package generates from that document, with every
 *   manifest written as a typed object literal: TypeScript's excess-property check rejects a
 *   field the API does not have (the OpenAPI schemas allow unknown fields; the API server
 *   drops or, in strict mode, refuses them, so a misspelt field must fail here).
 */

/** The Kubernetes API the schemas come from: kubernetes-models 5.x is generated from v1.36. */
export const KUBERNETES_VERSION = '1.36';

/** The kinds the manifests may use: the schema module and the interface of each. */
const KINDS: Record<string, { module: string; schema: string; type: string }> = {
  'v1/Namespace': { module: 'v1/Namespace', schema: 'IoK8sApiCoreV1Namespace', type: 'INamespace' },
  'v1/ConfigMap': { module: 'v1/ConfigMap', schema: 'IoK8sApiCoreV1ConfigMap', type: 'IConfigMap' },
  'v1/Secret': { module: 'v1/Secret', schema: 'IoK8sApiCoreV1Secret', type: 'ISecret' },
  'v1/Service': { module: 'v1/Service', schema: 'IoK8sApiCoreV1Service', type: 'IService' },
  'apps/v1/Deployment': {
    module: 'apps/v1/Deployment',
    schema: 'IoK8sApiAppsV1Deployment',
    type: 'IDeployment',
  },
  'batch/v1/Job': { module: 'batch/v1/Job', schema: 'IoK8sApiBatchV1Job', type: 'IJob' },
  'policy/v1/PodDisruptionBudget': {
    module: 'policy/v1/PodDisruptionBudget',
    schema: 'IoK8sApiPolicyV1PodDisruptionBudget',
    type: 'IPodDisruptionBudget',
  },
};

export interface ManifestFile {
  /** The name problems are reported under (a path relative to the manifests folder). */
  file: string;
  text: string;
}

export interface Manifest {
  file: string;
  /** The document's index in its file (YAML `---` separated). */
  index: number;
  apiVersion: string;
  kind: string;
  name: string;
  body: Record<string, unknown>;
}

export interface ManifestProblem {
  file: string;
  index: number;
  /** `Kind/name`, or the document's index when it has none. */
  object: string;
  message: string;
}

/** The manifests of each file, with the problems of files that are not valid YAML. */
export function readManifests(files: ManifestFile[]): {
  manifests: Manifest[];
  problems: ManifestProblem[];
} {
  const manifests: Manifest[] = [];
  const problems: ManifestProblem[] = [];
  for (const { file, text } of files) {
    parseAllDocuments(text).forEach((document, index) => {
      const object = `document ${index}`;
      if (document.errors.length > 0) {
        for (const error of document.errors)
          problems.push({ file, index, object, message: `YAML: ${error.message}` });
        return;
      }
      const body: unknown = document.toJS();
      if (body === null) return;
      if (typeof body !== 'object' || Array.isArray(body)) {
        problems.push({ file, index, object, message: 'not a Kubernetes object (a mapping)' });
        return;
      }
      const record = body as Record<string, unknown>;
      const metadata = (record.metadata ?? {}) as Record<string, unknown>;
      manifests.push({
        file,
        index,
        apiVersion: String(record.apiVersion ?? ''),
        kind: String(record.kind ?? ''),
        name: typeof metadata.name === 'string' ? metadata.name : '',
        body: record,
      });
    });
  }
  return { manifests, problems };
}

/** Every problem the two passes find; empty when the manifests are valid. */
export async function validateManifests(manifests: Manifest[]): Promise<ManifestProblem[]> {
  const problems: ManifestProblem[] = [];
  const known: Manifest[] = [];
  for (const manifest of manifests) {
    const kind = KINDS[`${manifest.apiVersion}/${manifest.kind}`];
    if (!kind) {
      problems.push(
        problem(
          manifest,
          `no schema for apiVersion "${manifest.apiVersion}", kind "${manifest.kind}" (known: ${Object.keys(KINDS).join(', ')})`,
        ),
      );
      continue;
    }
    known.push(manifest);
    const { validate } = (await import(`kubernetes-models/_schemas/${kind.schema}`)) as {
      validate: ((data: unknown) => boolean) & {
        errors?: Array<{ instancePath: string; keyword: string; params?: unknown }> | null;
      };
    };
    if (!validate(manifest.body)) {
      for (const error of validate.errors ?? []) {
        problems.push(
          problem(
            manifest,
            `schema: ${error.instancePath || '/'}: ${error.keyword} ${JSON.stringify(error.params ?? {})}`,
          ),
        );
      }
    }
  }
  problems.push(...checkFieldsExist(known));
  return problems;
}

function problem(manifest: Manifest, message: string): ManifestProblem {
  return {
    file: manifest.file,
    index: manifest.index,
    object: `${manifest.kind || '?'}/${manifest.name || manifest.index}`,
    message,
  };
}

const parsedDeclarations = new Map<string, ts.SourceFile>();
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * The second pass: a TypeScript program holding each manifest as an object literal of its
 * kind's interface. Only the diagnostics of that program's own file are reported.
 */
function checkFieldsExist(manifests: Manifest[]): ManifestProblem[] {
  if (manifests.length === 0) return [];
  // A module inside the repository, so `kubernetes-models` resolves from its node_modules.
  const fileName = path.join(repoRoot, 'deploy/kubernetes/test/manifests.check.mts');
  const parts: string[] = manifests.map((manifest, position) => {
    const kind = KINDS[`${manifest.apiVersion}/${manifest.kind}`]!;
    return `import type { ${kind.type} as T${position} } from 'kubernetes-models/${kind.module}';`;
  });
  const spans: Array<{ from: number; to: number; manifest: Manifest }> = [];
  let line = parts.length;
  manifests.forEach((manifest, position) => {
    const literal = JSON.stringify(manifest.body, null, 2);
    parts.push(`export const manifest${position}: T${position} = ${literal};`);
    const lineCount = literal.split('\n').length;
    spans.push({ from: line, to: line + lineCount, manifest });
    line += lineCount;
  });
  const source = parts.join('\n');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (name) => (name === fileName ? source : readFile(name));
  host.fileExists = (name) => name === fileName || fileExists(name);
  host.getSourceFile = (name, languageVersion, onError, shouldCreate) => {
    if (name === fileName) return ts.createSourceFile(name, source, languageVersion, true);
    // The library and schema declarations are parsed once per process.
    let parsed = parsedDeclarations.get(name);
    if (!parsed) {
      parsed = getSourceFile(name, languageVersion, onError, shouldCreate);
      if (parsed) parsedDeclarations.set(name, parsed);
    }
    return parsed;
  };
  const program = ts.createProgram({ rootNames: [fileName], options, host });
  const checked = program.getSourceFile(fileName)!;
  const problems: ManifestProblem[] = [];
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    if (diagnostic.file?.fileName !== fileName || diagnostic.start === undefined) {
      // The schema package itself did not load: report it, never pass silently.
      problems.push({ file: '(validator)', index: 0, object: '-', message });
      continue;
    }
    const at = checked.getLineAndCharacterOfPosition(diagnostic.start).line;
    const span = spans.find((candidate) => at >= candidate.from && at < candidate.to);
    const manifest = span?.manifest;
    if (!manifest) {
      problems.push({ file: '(validator)', index: 0, object: '-', message });
      continue;
    }
    // The literal's keys are JSON strings: name them as the manifest does ('replica').
    problems.push(
      problem(manifest, `field: ${message.replaceAll(`'"`, "'").replaceAll(`"'`, "'")}`),
    );
  }
  return problems;
}
