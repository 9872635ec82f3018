import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { environmentSchema } from '@tidewater/config/environment';
import {
  KUBERNETES_VERSION,
  readManifests,
  validateManifests,
  type Manifest,
  type ManifestFile,
} from './validate-manifests';

/**
 * The Kubernetes manifests in deploy/kubernetes: valid against the Kubernetes API's schemas
 * (see validate-manifests.ts), listed by the kustomization, and wired to each other and to the
 * application (names, labels, ports, environment variables). Each broken variant shows that
 * the validator refuses what a cluster would refuse.
 */

const folder = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function readFolder(): ManifestFile[] {
  return readdirSync(folder)
    .filter((name) => name.endsWith('.yaml') && name !== 'kustomization.yaml')
    .sort()
    .map((file) => ({ file, text: readFileSync(path.join(folder, file), 'utf8') }));
}

const files = readFolder();
let manifests: Manifest[];

beforeAll(() => {
  const read = readManifests(files);
  expect(read.problems).toEqual([]);
  manifests = read.manifests;
});

function find(kind: string, name: string): Manifest {
  const manifest = manifests.find(
    (candidate) => candidate.kind === kind && candidate.name === name,
  );
  if (!manifest) throw new Error(`no ${kind}/${name} in deploy/kubernetes`);
  return manifest;
}

/** The problems of the folder's files after `edit` changed one of them. */
async function problemsAfter(file: string, edit: (text: string) => string) {
  const edited = files.map((entry) =>
    entry.file === file ? { file, text: edit(entry.text) } : entry,
  );
  const changed = edited.find((entry) => entry.file === file)!.text;
  expect(changed).not.toBe(files.find((entry) => entry.file === file)!.text);
  const read = readManifests(edited);
  return [...read.problems, ...(await validateManifests(read.manifests))];
}

type Container = {
  name: string;
  args?: string[];
  image: string;
  ports?: Array<{ name: string; containerPort: number }>;
  env?: Array<{ name: string; value?: string }>;
  envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
  livenessProbe?: { httpGet: { path: string; port: string } };
  readinessProbe?: { httpGet: { path: string; port: string } };
  startupProbe?: { httpGet: { path: string; port: string } };
};
type PodTemplate = {
  metadata: { labels: Record<string, string>; annotations?: Record<string, string> };
  spec: { containers: Container[] };
};

function podTemplate(manifest: Manifest): PodTemplate {
  return (manifest.body.spec as { template: PodTemplate }).template;
}

// Each validation type-checks a small program against the schema declarations: seconds, not
// milliseconds, on a busy machine.
vi.setConfig({ testTimeout: 60_000 });

describe(`the Kubernetes manifests (Kubernetes ${KUBERNETES_VERSION} API)`, () => {
  it('are valid against the Kubernetes schemas, with no unknown field', async () => {
    expect(manifests.length).toBeGreaterThanOrEqual(9);
    expect(await validateManifests(manifests)).toEqual([]);
  });

  it('are all listed by the kustomization, except the Secret the operator writes', () => {
    const kustomization = parse(readFileSync(path.join(folder, 'kustomization.yaml'), 'utf8')) as {
      resources: string[];
      images: Array<{ name: string }>;
    };
    const listed = [...kustomization.resources].sort();
    expect(listed).toEqual(
      files.map((entry) => entry.file).filter((file) => file !== 'secret.example.yaml'),
    );
    // The image every container names is the one the kustomization sets.
    const images = new Set(
      manifests
        .filter((manifest) => ['Deployment', 'Job'].includes(manifest.kind))
        .flatMap((manifest) => podTemplate(manifest).spec.containers.map((c) => c.image)),
    );
    expect([...images]).toEqual([kustomization.images[0]!.name]);
  });

  it('run the web app and the workers with several replicas, probes on the health endpoints and scrape annotations', () => {
    for (const [name, role, port, replicas] of [
      ['tidewater-web', 'web', 3000, 2],
      ['tidewater-worker', 'worker', 9464, 2],
    ] as const) {
      const deployment = find('Deployment', name);
      const spec = deployment.body.spec as {
        replicas: number;
        selector: { matchLabels: Record<string, string> };
      };
      expect(spec.replicas).toBeGreaterThanOrEqual(replicas);
      const template = podTemplate(deployment);
      for (const [key, value] of Object.entries(spec.selector.matchLabels))
        expect(template.metadata.labels[key]).toBe(value);
      const [container] = template.spec.containers;
      expect(container!.args).toEqual([role]);
      const portName = container!.ports!.find((entry) => entry.containerPort === port)!.name;
      expect(container!.livenessProbe!.httpGet).toEqual({ path: '/livez', port: portName });
      expect(container!.startupProbe!.httpGet).toEqual({ path: '/livez', port: portName });
      expect(container!.readinessProbe!.httpGet).toEqual({ path: '/readyz', port: portName });
      expect(template.metadata.annotations).toMatchObject({
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': String(port),
        'prometheus.io/path': '/metrics',
      });
    }
    // Kubernetes sets HOSTNAME to the pod's name, and the console binds to HOSTNAME.
    expect(podTemplate(find('Deployment', 'tidewater-web')).spec.containers[0]!.env).toContainEqual(
      { name: 'HOSTNAME', value: '0.0.0.0' },
    );
    const service = find('Service', 'tidewater-web').body.spec as {
      selector: Record<string, string>;
    };
    expect(service.selector).toEqual(
      (find('Deployment', 'tidewater-web').body.spec as { selector: { matchLabels: unknown } })
        .selector.matchLabels,
    );
    expect(podTemplate(find('Job', 'tidewater-migrate')).spec.containers[0]!.args).toEqual([
      'migrate',
    ]);
  });

  it('give every container the ConfigMap and the Secret, holding only variables the application reads', () => {
    const config = find('ConfigMap', 'tidewater-config').body.data as Record<string, string>;
    const secret = find('Secret', 'tidewater-secrets').body.stringData as Record<string, string>;
    expect(Object.keys(secret).sort()).toEqual([
      'DATABASE_URL',
      'REDIS_URL',
      'TIDEWATER_ADMIN_PASSWORD',
      'TIDEWATER_SECRET_KEY',
    ]);
    expect(config.TIDEWATER_WORKER_HTTP_HOST).toBe('0.0.0.0');
    // The schema's variables, and those read outside it (the web app's first run and
    // origin check, the logger and the worker's HTTP server).
    const readByApplication = new Set([
      ...Object.keys(environmentSchema.shape),
      'TIDEWATER_ADMIN_PASSWORD',
      'TIDEWATER_PUBLIC_URL',
      'TIDEWATER_LOG_LEVEL',
      'TIDEWATER_WORKER_HTTP_HOST',
      'TIDEWATER_WORKER_HTTP_PORT',
      'HOSTNAME',
      'PORT',
    ]);
    for (const name of [...Object.keys(config), ...Object.keys(secret)])
      expect(readByApplication, name).toContain(name);
    for (const manifest of manifests.filter((m) => ['Deployment', 'Job'].includes(m.kind))) {
      for (const container of podTemplate(manifest).spec.containers) {
        expect(container.envFrom).toEqual([
          { configMapRef: { name: 'tidewater-config' } },
          { secretRef: { name: 'tidewater-secrets' } },
        ]);
        for (const variable of container.env ?? [])
          expect(readByApplication, variable.name).toContain(variable.name);
      }
    }
  });
});

describe('the manifest validator', () => {
  it('refuses a misspelt field', async () => {
    const problems = await problemsAfter('web.yaml', (text) =>
      text.replace('  replicas: 2', '  replica: 2'),
    );
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: 'web.yaml', object: 'Deployment/tidewater-web' });
    expect(problems[0]!.message).toContain("'replica' does not exist");
  });

  it('refuses an unknown field deep in a pod template', async () => {
    const problems = await problemsAfter('worker.yaml', (text) =>
      text.replace(
        'path: /readyz',
        'path: /readyz\n              scheme: HTTP\n              timeout: 3',
      ),
    );
    expect(problems.map((entry) => entry.message).join('\n')).toContain("'timeout' does not exist");
    expect(problems.every((entry) => entry.object === 'Deployment/tidewater-worker')).toBe(true);
  });

  it('refuses a missing required field', async () => {
    const problems = await problemsAfter('migrate-job.yaml', (text) =>
      text.replace(
        '        - name: migrate\n          image: tidewater',
        '        - image: tidewater',
      ),
    );
    const messages = problems.map((entry) => entry.message).join('\n');
    expect(messages).toContain(
      'schema: /spec/template/spec/containers/0: required {"missingProperty":"name"}',
    );
    expect(messages).toContain("Property 'name' is missing");
  });

  it('refuses a value of the wrong type and an unknown enum value', async () => {
    const problems = await problemsAfter('web.yaml', (text) =>
      text.replace('replicas: 2', 'replicas: two').replace('protocol: TCP', 'protocol: TPC'),
    );
    const messages = problems.map((entry) => entry.message).join('\n');
    expect(messages).toContain('schema: /spec/replicas: type {"type":"integer"}');
    expect(messages).toMatch(/ports\/0\/protocol: enum .*"TCP"/);
  });

  it('refuses a kind it has no schema for and a file that is not YAML', async () => {
    const unknownKind = await problemsAfter('namespace.yaml', (text) =>
      text.replace('kind: Namespace', 'kind: Namespaces'),
    );
    expect(unknownKind).toHaveLength(1);
    expect(unknownKind[0]!.message).toContain('no schema for apiVersion "v1", kind "Namespaces"');
    const broken = await problemsAfter('config.yaml', (text) => text.replace('data:', 'data: ['));
    expect(broken[0]!.message).toMatch(/^YAML: /);
  });
});
