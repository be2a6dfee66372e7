/**
 * One scenario from environment file to client checks: prepare (outside),
 * run the cluster side in fresh namespaces (inside.ts), judge the result.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { CREDENTIALS, credentialEnvVar } from '../../generator/secrets/credentials.js';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KObject } from './harness/objects.js';
import type { AppSync, Plan, Result, Step } from './plan.js';
import { buildApps, clientPython, installImagesOf, parseSecrets, projectRoot, secretValues, Workspace } from './prepare.js';
import { sealedSecretsController } from './sealed.js';
import { serve, serveSockets, type ServeTarget } from './serve.js';

const INSIDE = fileURLToPath(new URL('./inside.ts', import.meta.url));
const CLIENT = fileURLToPath(new URL('./client/check.py', import.meta.url));

export interface Scenario {
  readonly name: string;
  readonly env: string;
  /** The source to render from (default: this repository). */
  readonly source?: string;
  /** Edit the workspace's environment files; may return what else the scenario brings. */
  readonly setup?: (ws: Workspace) => void | Setup;
  /** Harness self-tests: change the rendered objects before the sync. */
  readonly mutate?: (apps: AppSync[]) => AppSync[];
  /** The sync must fail with a message matching this (self-tests). */
  readonly expectFailure?: RegExp;
  /**
   * Rotate every credential as the README says for the `existing` provider: replace the
   * Secrets (kubectl apply) and bump `secrets.rotation` in the environment file, render, sync.
   */
  readonly rotate?: boolean;
  /** Day 2: restart every pod and sync again, then move MLflow to this tag, render and sync. */
  readonly day2UpgradeTo?: string;
  readonly healthTimeoutSeconds?: number;
  /**
   * Sync the environment's Application before the cluster-resources one: the
   * ApplicationSets create both at once on a new cluster and nothing orders them.
   */
  readonly environmentFirst?: boolean;
  /** --serve: keep the environment running and print where it is. */
  readonly serve?: boolean;
}

export interface Setup {
  /** Credentials supplied at render time (GEN_GITOPS_<ENV>_…), as a person would. */
  readonly credentials?: Readonly<Record<string, string>>;
  /** Applications synced before the environment's (e.g. external services). */
  readonly apps?: readonly AppSync[];
  /** Objects created by hand before the first sync. */
  readonly preload?: readonly KObject[];
  /** PEM private key of the Sealed Secrets controller the harness plays. */
  readonly sealedSecretsKey?: string;
}

export interface Outcome {
  readonly name: string;
  readonly ok: boolean;
  readonly sync: string;
  readonly checksPassed: number;
  readonly checksFailed: number;
  readonly seconds: number;
  readonly detail: string;
}

function configValue(objects: readonly KObject[], key: string): string {
  const cm = objects.find((o) => o.kind === 'ConfigMap' && (o.data as Record<string, string> | undefined)?.[key] !== undefined);
  const v = (cm?.data as Record<string, string> | undefined)?.[key];
  if (v === undefined) throw new Error(`no ConfigMap carries ${key}`);
  return v;
}

/** The MLflow Service: its NodePort and its cluster DNS name. */
function nodePortService(objects: readonly KObject[]): { nodePort: number; host: string } {
  for (const o of objects) {
    const spec = o.spec as { type?: string; ports?: { nodePort?: number }[] } | undefined;
    if (o.kind === 'Service' && spec?.type === 'NodePort' && spec.ports?.[0]?.nodePort) {
      return { nodePort: spec.ports[0].nodePort, host: `${o.metadata.name}.${o.metadata.namespace}.svc.cluster.local` };
    }
  }
  throw new Error('no NodePort Service among the rendered objects');
}

/** The client's environment for one step, from what the cluster holds. */
function mlflowSecretOf(secrets: Map<string, Record<string, string>>): Record<string, string> {
  const found = [...secrets.entries()].find(([k, v]) => k.includes('mlflow-secrets') && v.MLFLOW_AUTH_ADMIN_PASSWORD)?.[1];
  if (!found) throw new Error('no Secret with MLFLOW_AUTH_ADMIN_PASSWORD among the created Secrets');
  return found;
}

function clientStep(
  label: string,
  apps: readonly AppSync[],
  secrets: Map<string, Record<string, string>>,
  experiment: string,
  earlier: readonly string[],
  old?: Record<string, string>,
): Step {
  const objects = apps.flatMap((a) => a.objects);
  const mlflowSecret = mlflowSecretOf(secrets);
  const service = nodePortService(objects);
  return {
    kind: 'client',
    label,
    python: clientPython(objects),
    script: CLIENT,
    env: {
      MLFLOW_TRACKING_URI: `http://127.0.0.1:${service.nodePort}`,
      MLFLOW_TRACKING_USERNAME: configValue(objects, 'MLFLOW_AUTH_ADMIN_USER'),
      MLFLOW_TRACKING_PASSWORD: mlflowSecret.MLFLOW_AUTH_ADMIN_PASSWORD!,
      E2E_S3_ENDPOINT: configValue(objects, 'MLFLOW_S3_ENDPOINT_URL'),
      E2E_S3_REGION: configValue(objects, 'AWS_DEFAULT_REGION'),
      E2E_S3_ACCESS_KEY: mlflowSecret.AWS_ACCESS_KEY_ID!,
      E2E_S3_SECRET_KEY: mlflowSecret.AWS_SECRET_ACCESS_KEY!,
      E2E_BUCKET: configValue(objects, 'MLFLOW_ARTIFACTS_DESTINATION')
        .replace(/^s3:\/\//, '')
        .replace(/\/.*$/, ''),
      E2E_SERVICE_HOST: service.host,
      E2E_EXPERIMENT: experiment,
      E2E_EXPECT_EXPERIMENTS: JSON.stringify(earlier),
      E2E_DB_HOST: configValue(objects, 'MLFLOW_DB_HOST'),
      E2E_DB_PORT: configValue(objects, 'MLFLOW_DB_PORT'),
      E2E_DB_USER: configValue(objects, 'MLFLOW_DB_USER'),
      E2E_DB_NAME: configValue(objects, 'MLFLOW_DB_NAME'),
      E2E_DB_PASSWORD: mlflowSecret.MLFLOW_DB_PASSWORD!,
      ...(old
        ? {
            E2E_OLD_ADMIN_PASSWORD: old.MLFLOW_AUTH_ADMIN_PASSWORD!,
            E2E_OLD_DB_PASSWORD: old.MLFLOW_DB_PASSWORD!,
            E2E_OLD_S3_ACCESS_KEY: old.AWS_ACCESS_KEY_ID!,
            E2E_OLD_S3_SECRET_KEY: old.AWS_SECRET_ACCESS_KEY!,
          }
        : {}),
    },
  };
}

let interrupted = false;

/** True once SIGTERM or SIGINT arrived: the run stops after the scenario it was in. */
export function wasInterrupted(): boolean {
  return interrupted;
}

/** The cluster side in fresh namespaces; --kill-child passes a SIGTERM on and ends it if we die. */
function runInside(planFile: string, prefix: string, quiet: boolean): { ended: Promise<number>; stop: () => void } {
  const child = spawn('/usr/bin/unshare', ['-m', '-n', '-p', '--fork', '--mount-proc', '--kill-child=SIGTERM', process.execPath, '--import', 'tsx', INSIDE, planFile], {
    cwd: projectRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // With --serve, stdout carries the JSON line only: the progress goes to stderr.
  const out = quiet ? process.stderr : process.stdout;
  const relay = (b: Buffer) =>
    out.write(
      b
        .toString('utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => `${prefix} ${l}\n`)
        .join(''),
    );
  child.stdout.on('data', relay);
  child.stderr.on('data', relay);
  const ended = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? 1)));
  // unshare's parent ignores SIGTERM while it waits (util-linux unshare.c), so
  // the signal goes to the cluster side itself, which stops every pod and exits.
  const stop = () => {
    let children: string[] = [];
    try {
      children = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    } catch {
      /* already gone */
    }
    for (const pid of children) {
      try {
        process.kill(Number(pid), 'SIGTERM');
      } catch {
        /* already gone */
      }
    }
  };
  // Interrupted (Ctrl-C, CI timeout): stop the cluster side first, so no pod outlives the run,
  // and run no further scenario.
  const interrupt = () => {
    interrupted = true;
    stop();
  };
  process.on('SIGTERM', interrupt);
  process.on('SIGINT', interrupt);
  void ended.then(() => {
    process.off('SIGTERM', interrupt);
    process.off('SIGINT', interrupt);
  });
  return { ended, stop };
}

export async function runScenario(s: Scenario): Promise<Outcome> {
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), `gen-gitops-e2e-${s.name.replace(/[^A-Za-z0-9]+/g, '-').slice(0, 40)}-`));
  const prefix = `[${s.name}]`;
  const outcome = (ok: boolean, sync: string, passed: number, failed: number, detail: string): Outcome => ({
    name: s.name,
    ok,
    sync,
    checksPassed: passed,
    checksFailed: failed,
    seconds: (Date.now() - started) / 1000,
    detail,
  });
  try {
    const ws = new Workspace(dir, s.source ?? projectRoot);
    const setup = s.setup?.(ws) ?? {};
    const credentials = setup.credentials ?? {};
    await ws.render(s.env, credentials);
    let apps = [...(setup.apps ?? []), ...(await buildApps(ws.repo, s.env))];
    if (s.mutate) apps = s.mutate(apps);
    if (s.environmentFirst) apps = [...apps].reverse();
    const objects = apps.flatMap((a) => a.objects);
    await installImagesOf(objects);

    const unseal = setup.sealedSecretsKey ? sealedSecretsController(readFileSync(setup.sealedSecretsKey, 'utf8')) : undefined;
    // `existing`: the person runs `gen-gitops secrets --env <env> | kubectl create -f -` once the namespaces exist.
    const envObjects = apps.find((a) => a.name === `mlflow-${s.env}`)?.objects ?? [];
    const existing = envObjects.some((o) => o.kind === 'Secret' || o.kind === 'SealedSecret' || o.kind === 'ExternalSecret')
      ? []
      : parseSecrets(await ws.cli(['secrets', '--env', s.env], credentials));
    const namespaces = [...new Set(existing.map((o) => o.metadata.namespace!))].map((name): KObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }));
    const secrets = secretValues([...existing, ...objects, ...(setup.preload ?? [])], unseal);

    const steps: Step[] = [{ kind: 'sync', label: 'first sync', apps }];
    const rotatedSecrets: string[] = [];
    if (!s.expectFailure) steps.push(clientStep('client', apps, secrets, `${s.name}-1`, []));
    if (s.rotate && !s.expectFailure) {
      // New values for every credential, supplied as a person would to `gen-gitops secrets`.
      const rotated = Object.fromEntries(CREDENTIALS.map((id) => [credentialEnvVar(s.env, id), `rotated${randomBytes(20).toString('hex')}`]));
      const replaced = parseSecrets(await ws.cli(['secrets', '--env', s.env], rotated));
      steps.push({ kind: 'apply', label: 'replace the Secrets with rotated values (kubectl apply)', objects: replaced });
      ws.set(s.env, ['secrets', 'rotation'], 1);
      await ws.render(s.env, credentials);
      const next = [...(setup.apps ?? []), ...(await buildApps(ws.repo, s.env))];
      steps.push({ kind: 'sync', label: 'sync after bumping secrets.rotation', apps: next });
      const after = secretValues(replaced);
      steps.push(clientStep('client with the rotated credentials', next, after, `${s.name}-rotated`, [`${s.name}-1`], mlflowSecretOf(secrets)));
      for (const v of after.values()) rotatedSecrets.push(...Object.values(v));
    }
    if (s.day2UpgradeTo && !s.expectFailure) {
      steps.push({ kind: 'restart', label: 'restart every pod, volumes kept' });
      steps.push({ kind: 'sync', label: 'sync after restart (migration Job runs again)', apps });
      steps.push(clientStep('client after restart', apps, secrets, `${s.name}-2`, [`${s.name}-1`]));
      ws.set(s.env, ['mlflow', 'image', 'tag'], s.day2UpgradeTo);
      await ws.render(s.env, credentials);
      const upgraded = [...(setup.apps ?? []), ...(await buildApps(ws.repo, s.env))];
      await installImagesOf(upgraded.flatMap((a) => a.objects));
      steps.push({ kind: 'sync', label: `sync after moving MLflow to ${s.day2UpgradeTo}`, apps: upgraded });
      steps.push(clientStep(`client on ${s.day2UpgradeTo}`, upgraded, secrets, `${s.name}-3`, [`${s.name}-1`, `${s.name}-2`]));
    }
    const lastClient = steps.filter((x): x is Extract<Step, { kind: 'client' }> => x.kind === 'client').pop();
    const target: ServeTarget | undefined =
      s.serve && lastClient
        ? {
            dir,
            nodePort: Number(new URL(lastClient.env.MLFLOW_TRACKING_URI!).port),
            s3Endpoint: lastClient.env.E2E_S3_ENDPOINT!,
            bucket: lastClient.env.E2E_BUCKET!,
            username: lastClient.env.MLFLOW_TRACKING_USERNAME!,
            password: lastClient.env.MLFLOW_TRACKING_PASSWORD!,
            s3AccessKey: lastClient.env.E2E_S3_ACCESS_KEY!,
            s3SecretKey: lastClient.env.E2E_S3_SECRET_KEY!,
          }
        : undefined;
    const plan: Plan = {
      stateDir: join(dir, 'cluster'),
      healthTimeoutSeconds: s.healthTimeoutSeconds ?? 300,
      preload: [...(setup.preload ?? []), ...namespaces, ...existing],
      steps,
      secrets: [...[...secrets.values()].flatMap((v) => Object.values(v)), ...rotatedSecrets],
      sealedSecretsKey: setup.sealedSecretsKey,
      serve: target ? serveSockets(target) : undefined,
    };
    const planFile = join(dir, 'plan.json');
    writeFileSync(planFile, JSON.stringify(plan), { mode: 0o600 });
    const inside = runInside(planFile, prefix, s.serve === true);
    if (target) await serve(target, join(plan.stateDir, 'serving'), inside.ended, inside.stop);
    const code = await inside.ended;
    let result: Result;
    try {
      result = JSON.parse(readFileSync(join(plan.stateDir, 'result.json'), 'utf8')) as Result;
    } catch {
      return outcome(false, `harness exit ${code}`, 0, 0, 'the cluster side ended without a result');
    }
    const checks = result.steps.flatMap((r) => r.checks);
    const passed = checks.filter((c) => c.ok).length;
    const failedChecks = checks.filter((c) => !c.ok);
    const failedStep = result.steps.find((r) => !r.ok);
    const syncs = result.steps.filter((r) => r.kind === 'sync');
    const sync = syncs.every((r) => r.ok) ? `Synced ×${syncs.length}` : `Failed at "${failedStep?.label}"`;
    if (s.expectFailure) {
      const matched = failedStep !== undefined && s.expectFailure.test(failedStep.message);
      return outcome(
        matched,
        sync,
        matched ? 1 : 0,
        matched ? 0 : 1,
        matched
          ? `failed as expected: ${failedStep!.message.split('\n')[0]}`
          : `expected a failure matching ${s.expectFailure}, got: ${failedStep?.message.split('\n')[0] ?? 'a successful sync'}`,
      );
    }
    const leakNote = result.leaks.length > 0 ? `credentials in process arguments: ${result.leaks.join('; ')}` : '';
    const detail = [failedStep ? `${failedStep.label}: ${failedStep.message}` : '', ...failedChecks.map((c) => `${c.check}: ${c.detail}`), leakNote].filter(Boolean).join('\n');
    return outcome(result.ok && failedChecks.length === 0, sync, passed, failedChecks.length + (result.leaks.length > 0 ? 1 : 0), detail);
  } catch (e) {
    return outcome(false, 'not run', 0, 0, (e as Error).message);
  } finally {
    if (!process.env.GEN_GITOPS_E2E_KEEP) rmSync(dir, { recursive: true, force: true });
    else process.stdout.write(`${prefix} kept ${dir}\n`);
  }
}
