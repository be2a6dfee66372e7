/**
 * The cluster side of one scenario, run inside private mount, network and PID
 * namespaces (`unshare -m -n -p --fork --mount-proc`, started by run.ts): when
 * this process ends, every container process ends with it, and nothing on the
 * machine (addresses, /etc/hosts, mounts) has changed.
 *
 * Reads a plan (objects to create first, then steps: ArgoCD syncs, client
 * runs, pod restarts) and writes what happened to result.json.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { join } from 'node:path';
import { Cluster } from './harness/cluster.js';
import { SyncError } from './harness/errors.js';
import type { KObject } from './harness/objects.js';
import { syncApplication } from './harness/sync.js';
import { sealedSecretsController } from './sealed.js';
import type { ClientCheck, Plan, Result, StepResult } from './plan.js';

function runClient(python: string, script: string, env: Record<string, string>): Promise<{ checks: ClientCheck[]; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(python, [script], { env: { PATH: '/usr/bin:/bin', HOME: '/tmp', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString('utf8');
    });
    child.stderr.on('data', (b: Buffer) => {
      err += b.toString('utf8');
    });
    child.on('close', () => {
      const checks: ClientCheck[] = [];
      for (const line of out.split('\n')) {
        if (!line.startsWith('{')) continue;
        try {
          const parsed = JSON.parse(line) as ClientCheck | { info: string };
          if ('check' in parsed) checks.push(parsed);
        } catch {
          /* not a report line */
        }
      }
      resolve({ checks, output: err.split('\n').slice(-15).join('\n') });
    });
  });
}

/** Credentials that appear in a started process's command line (/proc/<pid>/cmdline, as ps shows it). */
function leaks(cluster: Cluster, secrets: readonly string[]): string[] {
  const found: string[] = [];
  const pids = execFileSync('/usr/bin/ps', ['-e', '-o', 'pid='], { encoding: 'utf8' })
    .split('\n')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const pid of pids) {
    let cmdline = '';
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
    } catch {
      continue;
    }
    for (const s of secrets) {
      if (s.length >= 6 && (cmdline.includes(s) || cmdline.includes(encodeURIComponent(s)))) found.push(`pid ${pid}: ${cmdline.slice(0, 120).replace(s, '<credential>')}`);
    }
  }
  for (const p of cluster.startedProcesses()) {
    const argv = p.spec.argv.join(' ');
    for (const s of secrets) if (s.length >= 6 && argv.includes(s)) found.push(`container argv: ${argv.replace(s, '<credential>').slice(0, 120)}`);
  }
  return [...new Set(found)];
}

/** Forward a unix socket (reachable from outside the network namespace) to a port inside it, for --serve. */
function bridge(socketPath: string, host: string, port: number): void {
  createServer((client) => {
    const upstream = connect({ host, port });
    client.pipe(upstream).pipe(client);
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close);
    upstream.on('error', close);
  }).listen(socketPath);
}

async function main(): Promise<void> {
  const plan = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as Plan;
  const cluster = new Cluster(plan.stateDir);
  const log = (line: string) => process.stdout.write(`  ${line}\n`);
  const result: Result = { ok: true, steps: [], leaks: [] };
  const write = () => writeFileSync(join(plan.stateDir, 'result.json'), JSON.stringify(result, null, 2));

  // The harness's own name resolution: a hosts file bind-mounted over /etc/hosts in this mount namespace only.
  const hosts = join(plan.stateDir, 'hosts');
  writeFileSync(hosts, '');
  execFileSync('/usr/bin/mount', ['--bind', hosts, '/etc/hosts']);
  execFileSync('/usr/sbin/ip', ['link', 'set', 'lo', 'up']);
  cluster.network.registerHosts(hosts, '', []);
  if (plan.sealedSecretsKey) cluster.controller('SealedSecret', sealedSecretsController(readFileSync(plan.sealedSecretsKey, 'utf8')));

  try {
    for (const o of plan.preload) await cluster.apply(o);
    for (const step of plan.steps) {
      const started = Date.now();
      const r: StepResult = { label: step.label, kind: step.kind, ok: true, seconds: 0, message: '', checks: [] };
      result.steps.push(r);
      log(`step: ${step.label}`);
      try {
        if (step.kind === 'sync') {
          for (const app of step.apps) {
            log(`sync ${app.name}`);
            // CreateNamespace=true: ArgoCD creates the destination namespace first when it is missing.
            if (app.createNamespace && !cluster.get('Namespace', undefined, app.createNamespace)) {
              await cluster.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: app.createNamespace } });
              log(`created namespace ${app.createNamespace} (CreateNamespace=true)`);
            }
            await syncApplication(cluster, app.objects as KObject[], { healthTimeoutSeconds: plan.healthTimeoutSeconds, log });
          }
          r.message = 'Synced, Healthy';
        } else if (step.kind === 'apply') {
          for (const o of step.objects) await cluster.apply(o as KObject);
          r.message = `applied ${step.objects.length} objects`;
        } else if (step.kind === 'restart') {
          await cluster.restartAll();
          r.message = 'every pod restarted, claims kept';
        } else if (step.kind === 'client') {
          const { checks, output } = await runClient(step.python, step.script, step.env);
          r.checks = checks;
          const failed = checks.filter((c) => !c.ok);
          r.ok = checks.length > 0 && failed.length === 0;
          r.message = checks.length === 0 ? `client printed no checks: ${output}` : failed.map((c) => `${c.check}: ${c.detail}`).join('; ');
        }
      } catch (e) {
        r.ok = false;
        r.message = e instanceof SyncError ? e.detail() : ((e as Error).stack ?? String(e));
      }
      r.seconds = (Date.now() - started) / 1000;
      log(`${r.ok ? 'ok' : 'FAILED'}: ${step.label} (${r.seconds.toFixed(1)} s)${r.ok ? '' : `\n${r.message}`}`);
      write();
      if (!r.ok) {
        result.ok = false;
        break;
      }
    }
    result.leaks = leaks(cluster, plan.secrets);
    if (result.leaks.length > 0) result.ok = false;
    write();
    if (plan.serve && result.ok) {
      for (const b of plan.serve) bridge(b.socket, b.host, b.port);
      writeFileSync(join(plan.stateDir, 'serving'), 'yes');
      await new Promise<void>((resolve) => process.once('SIGTERM', () => resolve()));
    }
  } finally {
    await cluster.shutdown();
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
