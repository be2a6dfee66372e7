/**
 * The kubelet's work for one pod: volumes, init containers in order, then the
 * containers with their probes and restart policy. Failures that a cluster
 * would leave pending forever (CreateContainerConfigError, FailedMount,
 * ErrImagePull) or repeat forever (CrashLoopBackOff) end the pod with a
 * `fatal` error naming the owner and container, so a sync fails at once.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { IProbe } from 'kubernetes-models/v1/Probe';
import { imageBin, resolveImage, UnknownImageError } from '../images.js';
import { commandLine, ConfigError, containerEnv, type EnvSources } from './env.js';
import { lastLine, SyncError } from './errors.js';
import type { Network } from './network.js';
import { ContainerProcess, type Identity } from './process.js';
import { runProbe } from './probes.js';
import type { Mount } from './rootfs.js';
import { materialise, MountError, type VolumeSources } from './volumes.js';

export interface PodHost extends Pick<EnvSources, 'configMap' | 'secret'>, VolumeSources {
  readonly network: Network;
  readonly stateDir: string;
  serviceLinks(namespace: string): Readonly<Record<string, string>>;
  /** Readiness or phase changed: Services re-evaluate their endpoints. */
  changed(): void;
  /** Every container process started, for the credential-in-argv check. */
  started(proc: ContainerProcess): void;
}

export interface PodOptions {
  readonly name: string;
  readonly namespace: string;
  /** The object that owns the pod, `Kind/name`: failures name it. */
  readonly owner: string;
  readonly spec: IPodSpec;
  readonly subdomain?: string;
}

/** Restarts after which a crash-looping container fails the sync (a cluster would back off forever). */
export const CRASH_LIMIT = 3;
const STANDARD_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

interface ContainerState {
  readonly c: IContainer;
  restarts: number;
  ready: boolean;
  done: boolean;
  exitCode: number | undefined;
  proc: ContainerProcess | undefined;
  lastProbe: string;
}

let podSerial = 0;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Pod {
  phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed' = 'Pending';
  fatal: SyncError | undefined;
  /** Why a pod that ran to the end failed (its first container with a non-zero exit). */
  termination: SyncError | undefined;
  readonly ip: string;
  readonly dir: string;
  private readonly states: ContainerState[];
  private stopping = false;
  private readonly hostsFile: string;
  private readonly volumes = new Map<string, { path: string; readOnly: boolean }>();

  constructor(
    private readonly host: PodHost,
    readonly opts: PodOptions,
  ) {
    this.ip = host.network.podIp(`${opts.namespace}/${opts.name}`);
    this.dir = join(host.stateDir, 'pods', opts.namespace, `${opts.name}.${++podSerial}`);
    mkdirSync(this.dir, { recursive: true });
    this.hostsFile = join(this.dir, 'hosts');
    this.states = opts.spec.containers.map((c) => ({ c, restarts: 0, ready: false, done: false, exitCode: undefined, proc: undefined, lastProbe: '' }));
  }

  get name(): string {
    return this.opts.name;
  }

  get ready(): boolean {
    return this.phase === 'Running' && this.states.every((s) => s.ready);
  }

  /** Why the pod is not ready, for a sync that timed out. */
  describe(): string {
    if (this.fatal) return this.fatal.message;
    const s = this.states.find((x) => !x.ready);
    if (!s) return `pod ${this.name} ${this.phase}`;
    const why = s.lastProbe || (s.proc?.running ? 'running, not ready yet' : `exit ${s.exitCode}: ${lastLine(s.proc?.lines ?? [])}`);
    return `${this.opts.owner} container ${s.c.name}: not ready: ${why}`;
  }

  processes(): ContainerProcess[] {
    return this.states.flatMap((s) => (s.proc ? [s.proc] : []));
  }

  start(): void {
    void this.run().catch((e: unknown) => this.fail(e instanceof SyncError ? e : new SyncError(`${this.opts.owner}: ${(e as Error).message}`, this.opts.owner)));
  }

  private fail(e: SyncError): void {
    if (this.stopping) return;
    this.fatal ??= e;
    this.phase = 'Failed';
    this.host.changed();
  }

  private hostname(): string {
    const { spec, name, namespace, subdomain } = this.opts;
    const h = spec.hostname ?? name;
    const sub = spec.subdomain ?? subdomain;
    return sub ? `${h}.${sub}.${namespace}.svc.cluster.local ${h}` : h;
  }

  private async run(): Promise<void> {
    const { spec, namespace, owner } = this.opts;
    const fsGroup = spec.securityContext?.fsGroup;
    try {
      for (const v of spec.volumes ?? []) this.volumes.set(v.name, materialise(v, namespace, this.dir, this.host, fsGroup));
    } catch (e) {
      if (e instanceof MountError) throw new SyncError(`${owner}: FailedMount: ${e.message}`, owner);
      throw e;
    }
    this.host.network.registerHosts(this.hostsFile, namespace, [`${this.ip}\t${this.hostname()}`]);
    for (const c of spec.initContainers ?? []) {
      const state: ContainerState = { c, restarts: 0, ready: false, done: false, exitCode: undefined, proc: undefined, lastProbe: '' };
      for (;;) {
        const code = await this.launch(state).exited;
        if (this.stopping) return;
        if (code === 0) break;
        if ((spec.restartPolicy ?? 'Always') === 'Never') {
          this.phase = 'Failed';
          this.termination = this.exitError(state, code, 'init container');
          this.host.changed();
          return;
        }
        await this.backoff(state, code, 'init container');
      }
    }
    this.phase = 'Running';
    this.host.changed();
    await Promise.all(this.states.map((s) => this.keepRunning(s)));
    if (this.stopping || this.fatal) return;
    const failed = this.states.find((s) => s.exitCode !== 0);
    if (failed) this.termination = this.exitError(failed, failed.exitCode ?? 1);
    this.phase = failed ? 'Failed' : 'Succeeded';
    this.host.changed();
  }

  private exitError(s: ContainerState, code: number, what = 'container'): SyncError {
    const tail = s.proc?.tail() ?? [];
    return new SyncError(`${this.opts.owner} ${what} ${s.c.name}: exit ${code}: ${lastLine(tail)}`, this.opts.owner, tail);
  }

  private async backoff(s: ContainerState, code: number, what?: string): Promise<void> {
    s.restarts++;
    if (s.restarts > CRASH_LIMIT) {
      const e = this.exitError(s, code, what);
      throw new SyncError(`${e.message} (CrashLoopBackOff after ${CRASH_LIMIT} restarts)`, e.object, e.logTail);
    }
    // The kubelet backs off 10 s, 20 s, … up to 5 min; the harness compresses that to seconds.
    await sleep(Math.min(1000 * 2 ** (s.restarts - 1), 8000));
  }

  private async keepRunning(s: ContainerState): Promise<void> {
    const policy = this.opts.spec.restartPolicy ?? 'Always';
    for (;;) {
      const proc = this.launch(s);
      const generation = proc;
      void this.probeLoop(s, generation);
      const code = await proc.exited;
      s.ready = false;
      s.exitCode = code;
      this.host.changed();
      if (this.stopping) return;
      const restart = policy === 'Always' || (policy === 'OnFailure' && code !== 0);
      if (!restart) {
        s.done = true;
        return;
      }
      await this.backoff(s, code);
    }
  }

  private launch(s: ContainerState): ContainerProcess {
    const { spec, namespace, owner } = this.opts;
    const c = s.c;
    let image;
    try {
      image = resolveImage(c.image ?? '');
    } catch (e) {
      if (e instanceof UnknownImageError) throw new SyncError(`${owner} container ${c.name}: ErrImagePull: ${e.message}`, owner);
      throw e;
    }
    let vars: Map<string, string>;
    try {
      vars = containerEnv(c, namespace, {
        configMap: (ns, n) => this.host.configMap(ns, n),
        secret: (ns, n) => this.host.secret(ns, n),
        field: (path) =>
          (({ 'metadata.name': this.name, 'metadata.namespace': namespace, 'status.podIP': this.ip, 'spec.nodeName': 'harness-node' }) as Record<string, string>)[path],
      });
    } catch (e) {
      if (e instanceof ConfigError) throw new SyncError(`${owner} container ${c.name}: CreateContainerConfigError: ${e.message}`, owner);
      throw e;
    }
    const argv = commandLine(c, image, vars);
    if (argv.length === 0) throw new SyncError(`${owner} container ${c.name}: no command: neither the container nor the image gives one`, owner);
    const psc = spec.securityContext ?? {};
    const csc = c.securityContext ?? {};
    const uid = csc.runAsUser ?? psc.runAsUser ?? 0;
    if ((csc.runAsNonRoot ?? psc.runAsNonRoot) && uid === 0) {
      throw new SyncError(`${owner} container ${c.name}: CreateContainerConfigError: container has runAsNonRoot and image will run as root`, owner);
    }
    const groups = [...new Set([...(psc.fsGroup !== undefined ? [psc.fsGroup] : []), ...(psc.supplementalGroups ?? [])])];
    const identity: Identity = {
      uid,
      gid: csc.runAsGroup ?? psc.runAsGroup ?? 0,
      groups,
      noNewPrivs: csc.allowPrivilegeEscalation === false,
      dropAllCaps: (csc.capabilities?.drop ?? []).includes('ALL'),
    };
    const mounts: Mount[] = [{ path: '/etc/hosts', source: this.hostsFile, readOnly: false }];
    for (const m of c.volumeMounts ?? []) {
      const v = this.volumes.get(m.name);
      if (!v) throw new SyncError(`${owner} container ${c.name}: volumeMount ${m.mountPath}: no volume named ${m.name}`, owner);
      mounts.push({ path: m.mountPath, source: m.subPath ? join(v.path, m.subPath) : v.path, readOnly: v.readOnly || (m.readOnly ?? false) });
    }
    const env: Record<string, string> = {
      PATH: [...imageBin(image), ...STANDARD_PATH].join(':'),
      ...image.env,
      HOSTNAME: spec.hostname ?? this.name,
      ...((spec.enableServiceLinks ?? true) ? this.host.serviceLinks(namespace) : {}),
      ...Object.fromEntries(vars),
    };
    const proc = new ContainerProcess({
      dir: join(this.dir, 'containers', `${c.name}.${s.restarts}`),
      argv,
      env,
      workingDir: c.workingDir ?? '/',
      identity,
      readOnlyRoot: csc.readOnlyRootFilesystem ?? false,
      mounts,
    });
    s.proc = proc;
    this.host.started(proc);
    return proc;
  }

  private async probeLoop(s: ContainerState, proc: ContainerProcess): Promise<void> {
    const c = s.c;
    const alive = () => proc.running && !this.stopping;
    const kill = async (why: string) => {
      s.lastProbe = why;
      proc.lines.push(`[harness] ${why}: container will be restarted`);
      await proc.stop(this.opts.spec.terminationGracePeriodSeconds ?? 30);
    };
    if (c.startupProbe) {
      const ok = await this.until(c.startupProbe, s, proc, alive);
      if (!ok) {
        if (alive()) await kill(`startup probe failed: ${s.lastProbe}`);
        return;
      }
    }
    if (!c.readinessProbe) {
      s.ready = true;
      this.host.changed();
    }
    const loops: Promise<void>[] = [];
    if (c.readinessProbe)
      loops.push(
        this.repeat(c.readinessProbe, s, proc, alive, (ok) => {
          if (s.ready !== ok) {
            s.ready = ok;
            this.host.changed();
          }
        }),
      );
    if (c.livenessProbe)
      loops.push(
        this.repeat(c.livenessProbe, s, proc, alive, undefined, async () => {
          await kill(`liveness probe failed: ${s.lastProbe}`);
        }),
      );
    await Promise.all(loops);
  }

  /** Probe until success (true) or failureThreshold consecutive failures (false). */
  private async until(p: IProbe, s: ContainerState, proc: ContainerProcess, alive: () => boolean): Promise<boolean> {
    await sleep((p.initialDelaySeconds ?? 0) * 1000);
    let failures = 0;
    while (alive()) {
      const r = await runProbe(p, s.c, this.ip, proc);
      if (r.ok) return true;
      s.lastProbe = r.message;
      if (++failures >= (p.failureThreshold ?? 3)) return false;
      await sleep((p.periodSeconds ?? 10) * 1000);
    }
    return false;
  }

  private async repeat(p: IProbe, s: ContainerState, proc: ContainerProcess, alive: () => boolean, onResult?: (ok: boolean) => void, onFail?: () => Promise<void>): Promise<void> {
    await sleep((p.initialDelaySeconds ?? 0) * 1000);
    let failures = 0;
    let successes = 0;
    while (alive()) {
      const r = await runProbe(p, s.c, this.ip, proc);
      if (!alive()) return;
      if (r.ok) {
        failures = 0;
        if (++successes >= (p.successThreshold ?? 1)) onResult?.(true);
      } else {
        s.lastProbe = r.message;
        successes = 0;
        if (++failures >= (p.failureThreshold ?? 3)) {
          onResult?.(false);
          if (onFail) return onFail();
        }
      }
      await sleep((p.periodSeconds ?? 10) * 1000);
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const grace = this.opts.spec.terminationGracePeriodSeconds ?? 30;
    await Promise.all(this.states.map((s) => s.proc?.stop(grace)));
    this.host.network.unregisterHosts(this.hostsFile);
    this.phase = this.phase === 'Running' ? 'Succeeded' : this.phase;
    this.host.changed();
  }
}
