/**
 * The gen-gitops side of a scenario, outside the namespaces: render an
 * environment with the built CLI into a fresh config repo, build each
 * Application's folder with kustomize (as ArgoCD does), gather the Secrets a
 * person or controller would create, and install the programs the images name.
 */
import { execFile, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseAllDocuments, parseDocument } from 'yaml';
import { imageDir, resolveImage } from './images.js';
import { ensureImages, ensureKustomize } from './install.js';
import { type KObject, parseManifests } from './harness/objects.js';
import type { AppSync } from './plan.js';

const run = promisify(execFile);
export const projectRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const bin = join(projectRoot, 'bin', 'gen-gitops.js');

export class Workspace {
  readonly source: string;
  readonly repo: string;
  constructor(
    readonly dir: string,
    fromSource: string,
  ) {
    this.source = join(dir, 'source');
    this.repo = join(dir, 'gitops');
    mkdirSync(this.source, { recursive: true });
    cpSync(join(fromSource, 'environments'), join(this.source, 'environments'), { recursive: true });
  }

  envFile(env: string): string {
    return join(this.source, 'environments', `${env}.yaml`);
  }

  edit(env: string, fn: (text: string) => string): void {
    writeFileSync(this.envFile(env), fn(readFileSync(this.envFile(env), 'utf8')));
  }

  /** Set one setting in an environment file (comments and the rest kept). */
  set(env: string, path: readonly string[], value: unknown): void {
    this.edit(env, (text) => {
      const doc = parseDocument(text);
      doc.setIn(path, value);
      return doc.toString();
    });
  }

  /** Run the built CLI as a user does; throws with its stderr on a non-zero exit. */
  async cli(args: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<string> {
    try {
      const { stdout } = await run(process.execPath, [bin, ...args, '--source', this.source], { env: { ...process.env, ...env }, maxBuffer: 64 << 20 });
      return stdout;
    } catch (e) {
      const err = e as { stderr?: string; code?: number };
      throw new Error(`gen-gitops ${args.join(' ')} exited ${err.code}: ${(err.stderr ?? '').trim()}`);
    }
  }

  /** Render into the config repo (a commit). */
  render(env: string, credentials: Readonly<Record<string, string>> = {}): Promise<string> {
    return this.cli(['--env', env, '--repo', this.repo], credentials);
  }
}

interface ArgoParams {
  destination: { namespace: string };
  sync?: string;
}

/** The sync options of the ApplicationSet that generates an Application from this folder's argocd.json. */
function syncOptions(repo: string, params: ArgoParams): string[] {
  const file = join(repo, 'argocd', params.sync ? `applicationset-environments-${params.sync}.yaml` : 'applicationset-cluster-resources.yaml');
  const set = parseDocument(readFileSync(file, 'utf8')).toJS() as { spec: { template: { spec: { syncPolicy?: { syncOptions?: string[] } } } } };
  return set.spec.template.spec.syncPolicy?.syncOptions ?? [];
}

/** `kustomize build` of one Application folder, as ArgoCD does; namespaced objects without a namespace get the destination's. */
export async function buildApp(repo: string, folder: string, name: string): Promise<AppSync> {
  const kustomize = await ensureKustomize();
  const { stdout } = await run(kustomize, ['build', join(repo, folder, 'manifests')], { maxBuffer: 64 << 20 });
  const params = JSON.parse(readFileSync(join(repo, folder, 'argocd.json'), 'utf8')) as ArgoParams;
  const objects = parseManifests(stdout, join(folder, 'manifests')).map((o) =>
    o.kind !== 'Namespace' && o.metadata.namespace === undefined ? { ...o, metadata: { ...o.metadata, namespace: params.destination.namespace } } : o,
  );
  const createNamespace = syncOptions(repo, params).includes('CreateNamespace=true') ? params.destination.namespace : undefined;
  return { name, objects, createNamespace };
}

/** The cluster-resources Application first, then the environment's (see the README on first syncs). */
export async function buildApps(repo: string, env: string): Promise<AppSync[]> {
  const params = JSON.parse(readFileSync(join(repo, 'envs', env, 'argocd.json'), 'utf8')) as { cluster: string };
  const apps: AppSync[] = [];
  const clusterFolder = join('cluster-resources', params.cluster);
  if (existsSync(join(repo, clusterFolder))) apps.push(await buildApp(repo, clusterFolder, `cluster-resources-${params.cluster}`));
  apps.push(await buildApp(repo, join('envs', env), `mlflow-${env}`));
  return apps;
}

/** Secrets printed by `gen-gitops secrets` (the `existing` provider's way), as objects. */
export function parseSecrets(text: string): KObject[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as KObject | null)
    .filter((o): o is KObject => o !== null);
}

/** Every image a pod template names, installed (each once; cached between runs). */
export async function installImagesOf(objects: readonly KObject[]): Promise<void> {
  const refs = new Set<string>();
  for (const o of objects) {
    const template = (o.spec as { template?: { spec?: { containers?: { image?: string }[]; initContainers?: { image?: string }[] } } } | undefined)?.template?.spec;
    for (const c of [...(template?.containers ?? []), ...(template?.initContainers ?? [])]) if (c.image) refs.add(c.image);
  }
  await ensureImages([...refs].map(resolveImage));
}

/** The python of the MLflow image an environment runs: the client uses the same release. */
export function clientPython(objects: readonly KObject[]): string {
  const deployment = objects.find((o) => o.kind === 'Deployment');
  const image = (deployment?.spec as { template: { spec: { containers: { image: string }[] } } } | undefined)?.template.spec.containers[0]?.image;
  if (!image) throw new Error('no Deployment with an image among the rendered objects');
  return join(imageDir(resolveImage(image)), 'venv', 'bin', 'python');
}

/** Plain Secret values by namespace/name, from every source a cluster would have them from. */
export function secretValues(objects: readonly KObject[], unseal?: (o: KObject) => KObject[]): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  for (const o of objects) {
    const secrets = o.kind === 'Secret' ? [o] : o.kind === 'SealedSecret' && unseal ? unseal(o) : [];
    for (const s of secrets) {
      const data: Record<string, string> = {};
      for (const [k, v] of Object.entries((s.data as Record<string, string> | undefined) ?? {})) data[k] = Buffer.from(v, 'base64').toString('utf8');
      Object.assign(data, (s.stringData as Record<string, string> | undefined) ?? {});
      out.set(`${s.metadata.namespace}/${s.metadata.name}`, data);
    }
  }
  return out;
}

export function gitHead(repo: string): string {
  return execFileSync('git', ['-C', repo, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
}

/** An image the shipped defaults name: `postgres`, `minio` or `mlflow`. */
export function defaultImage(which: 'postgres' | 'minio' | 'mlflow'): string {
  const defaults = parseDocument(readFileSync(join(projectRoot, 'environments', 'defaults.yaml'), 'utf8')).toJS() as {
    environment: Record<'postgres' | 'minio' | 'mlflow', { image: { repository: string; tag: string } }>;
  };
  const image = defaults.environment[which].image;
  return `${image.repository}:${image.tag}`;
}

/** Every image the shipped defaults name (what CI installs up front). */
export function defaultImages(): string[] {
  return [defaultImage('postgres'), defaultImage('minio'), defaultImage('mlflow')];
}
