/**
 * The harness's API server and controllers: objects by kind/namespace/name,
 * Services with their addresses and endpoints, claims as folders, workloads
 * run by the controllers in workloads.ts. Admission is what a real API server
 * would refuse and we can see: a namespaced object in a missing namespace,
 * a NodePort already taken, an immutable field changed.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { IService } from 'kubernetes-models/v1/Service';
import { SyncError } from './errors.js';
import { type Endpoints, Network } from './network.js';
import { isNamespaced, type KObject, ref } from './objects.js';
import type { Pod } from './pod.js';
import type { ContainerProcess } from './process.js';
import { resolvePort } from './probes.js';
import { startWorkload, type ClaimHost, type Health, type Workload } from './workloads.js';

type Data = Readonly<Record<string, string>>;

/** A controller for a custom kind (e.g. the Sealed Secrets controller): turns an object into others. */
export type CustomController = (o: KObject) => KObject[];

function key(kind: string, namespace: string | undefined, name: string): string {
  return `${kind}/${namespace ?? ''}/${name}`;
}

function labelsMatch(selector: Readonly<Record<string, string>> | undefined, labels: Readonly<Record<string, string>> | undefined): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

export class Cluster implements ClaimHost {
  readonly network = new Network();
  private readonly objects = new Map<string, KObject>();
  private readonly serviceIps = new Map<string, string>();
  private readonly workloads = new Map<string, Workload>();
  private readonly controllers = new Map<string, CustomController>();
  private readonly processes: ContainerProcess[] = [];
  private changeTimer: NodeJS.Timeout | undefined;

  constructor(readonly stateDir: string) {
    mkdirSync(stateDir, { recursive: true });
  }

  /** Register a controller for a kind (the harness plays e.g. the Sealed Secrets controller). */
  controller(kind: string, c: CustomController): void {
    this.controllers.set(kind, c);
  }

  get(kind: string, namespace: string | undefined, name: string): KObject | undefined {
    return this.objects.get(key(kind, namespace, name));
  }

  list(kind?: string): KObject[] {
    return [...this.objects.values()].filter((o) => kind === undefined || o.kind === kind);
  }

  configMap(namespace: string, name: string): Data | undefined {
    const o = this.get('ConfigMap', namespace, name);
    return o ? { ...(o.data as Data | undefined) } : undefined;
  }

  secret(namespace: string, name: string): Data | undefined {
    const o = this.get('Secret', namespace, name);
    if (!o) return undefined;
    const data: Record<string, string> = {};
    for (const [k, v] of Object.entries((o.data as Data | undefined) ?? {})) data[k] = Buffer.from(v, 'base64').toString('utf8');
    for (const [k, v] of Object.entries((o.stringData as Data | undefined) ?? {})) data[k] = v;
    return data;
  }

  claim(namespace: string, name: string): string | undefined {
    return this.get('PersistentVolumeClaim', namespace, name) ? this.claimDir(namespace, name) : undefined;
  }

  private claimDir(namespace: string, name: string): string {
    return join(this.stateDir, 'volumes', namespace, name);
  }

  /** A claim from a volumeClaimTemplate: created once, kept when the StatefulSet goes (as on a cluster). */
  ensureClaim(namespace: string, name: string): void {
    if (!this.get('PersistentVolumeClaim', namespace, name)) {
      this.objects.set(key('PersistentVolumeClaim', namespace, name), { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace } });
    }
    mkdirSync(this.claimDir(namespace, name), { recursive: true });
  }

  /** Docker-style service links for a namespace (enableServiceLinks, on by default). */
  serviceLinks(namespace: string): Record<string, string> {
    const env: Record<string, string> = {};
    for (const o of this.list('Service').filter((s) => s.metadata.namespace === namespace)) {
      const ip = this.serviceIps.get(ref(o));
      const spec = (o as unknown as IService).spec;
      const first = spec?.ports?.[0];
      if (!ip || !first) continue;
      const base = o.metadata.name.toUpperCase().replace(/-/g, '_');
      env[`${base}_SERVICE_HOST`] = ip;
      env[`${base}_SERVICE_PORT`] = String(first.port);
      env[`${base}_PORT`] = `tcp://${ip}:${first.port}`;
      for (const p of spec.ports ?? []) {
        const proto = (p.protocol ?? 'TCP').toLowerCase();
        if (p.name) env[`${base}_SERVICE_PORT_${p.name.toUpperCase().replace(/-/g, '_')}`] = String(p.port);
        const pre = `${base}_PORT_${p.port}_${proto.toUpperCase()}`;
        Object.assign(env, { [pre]: `${proto}://${ip}:${p.port}`, [`${pre}_PROTO`]: proto, [`${pre}_PORT`]: String(p.port), [`${pre}_ADDR`]: ip });
      }
    }
    return env;
  }

  started(proc: ContainerProcess): void {
    this.processes.push(proc);
  }

  /** Every container process started so far (running or not). */
  startedProcesses(): readonly ContainerProcess[] {
    return this.processes;
  }

  pods(): Pod[] {
    return [...this.workloads.values()].flatMap((w) => [...w.pods()]);
  }

  /** Readiness changed somewhere: recompute endpoints soon (coalesced). */
  changed(): void {
    if (this.changeTimer) return;
    this.changeTimer = setTimeout(() => {
      this.changeTimer = undefined;
      this.refreshEndpoints();
    }, 20);
  }

  private refreshEndpoints(): void {
    const pods = this.pods().filter((p) => p.ready);
    const all: Endpoints[] = [];
    for (const o of this.list('Service')) {
      const spec = (o as unknown as IService).spec ?? {};
      const selected = pods.filter((p) => p.opts.namespace === o.metadata.namespace && labelsMatch(spec.selector, this.podLabels(p)));
      const ports = (spec.ports ?? []).map((p) => ({
        port: p.port,
        nodePort: spec.type === 'NodePort' ? p.nodePort : undefined,
        targetPort: typeof p.targetPort === 'number' ? p.targetPort : Number(p.targetPort ?? p.port),
      }));
      all.push({
        name: o.metadata.name,
        namespace: o.metadata.namespace!,
        ip: this.serviceIps.get(ref(o)),
        ports,
        ready: selected.map((p) => ({
          ip: p.ip,
          ports: new Map(
            (spec.ports ?? []).map((sp) => {
              const c = p.opts.spec.containers.find((c) => resolvePort(c, sp.targetPort ?? sp.port) !== undefined) ?? p.opts.spec.containers[0]!;
              return [sp.port, resolvePort(c, sp.targetPort ?? sp.port) ?? sp.port] as const;
            }),
          ),
        })),
      });
    }
    this.network.update(all);
  }

  private podLabels(p: Pod): Readonly<Record<string, string>> | undefined {
    const owner = [...this.workloads.values()].find((w) => w.pods().includes(p));
    return (owner?.object.spec as { template?: { metadata?: { labels?: Record<string, string> } } } | undefined)?.template?.metadata?.labels;
  }

  health(o: KObject): Health {
    const w = this.workloads.get(ref(o));
    if (w) return w.health();
    if (!this.objects.has(key(o.kind, o.metadata.namespace, o.metadata.name))) return { status: 'Progressing', message: 'not created' };
    return { status: 'Healthy', message: 'exists' };
  }

  /** kubectl apply: create or update; throws SyncError with the API server's refusal. */
  async apply(o: KObject): Promise<void> {
    const ns = o.metadata.namespace;
    if (isNamespaced(o.kind)) {
      if (!ns) throw new SyncError(`${ref(o)}: the harness needs metadata.namespace on namespaced objects (ArgoCD fills in the Application's)`, ref(o));
      if (!this.get('Namespace', undefined, ns)) throw new SyncError(`${ref(o)}: namespaces "${ns}" not found`, ref(o));
    }
    const k = key(o.kind, isNamespaced(o.kind) ? ns : undefined, o.metadata.name);
    const existing = this.objects.get(k);
    if (o.kind === 'Service') this.admitService(o, existing);
    const w = this.workloads.get(ref(o));
    if (w) {
      const refusal = await w.update(o);
      if (refusal) throw new SyncError(`${ref(o)}: ${refusal}`, ref(o));
    }
    this.objects.set(k, o);
    if (!w) {
      const started = await startWorkload(this, o);
      if (started) this.workloads.set(ref(o), started);
    }
    const custom = this.controllers.get(o.kind);
    if (custom) for (const out of custom(o)) await this.apply(out);
    if (o.kind === 'PersistentVolumeClaim') mkdirSync(this.claimDir(ns!, o.metadata.name), { recursive: true });
    this.changed();
  }

  private admitService(o: KObject, existing: KObject | undefined): void {
    const spec = (o as unknown as IService).spec ?? {};
    for (const p of spec.ports ?? []) {
      if (p.nodePort === undefined) continue;
      const taken = this.list('Service').find((s) => ref(s) !== ref(o) && ((s as unknown as IService).spec?.ports ?? []).some((q) => q.nodePort === p.nodePort));
      if (taken)
        throw new SyncError(
          `${ref(o)}: Service "${o.metadata.name}" is invalid: spec.ports.nodePort: Invalid value: ${p.nodePort}: provided port is already allocated (by ${ref(taken)})`,
          ref(o),
        );
    }
    if (!existing && spec.clusterIP !== 'None') this.serviceIps.set(ref(o), this.network.allocateServiceIp());
  }

  async delete(o: KObject): Promise<void> {
    const w = this.workloads.get(ref(o));
    if (w) {
      await w.delete();
      this.workloads.delete(ref(o));
    }
    this.objects.delete(key(o.kind, isNamespaced(o.kind) ? o.metadata.namespace : undefined, o.metadata.name));
    this.changed();
  }

  /** Stop every pod (a node going away); claims stay on disk. */
  async shutdown(): Promise<void> {
    await Promise.all([...this.workloads.values()].map((w) => w.delete()));
    this.workloads.clear();
  }

  /** Restart every pod with its claims kept: delete and re-create each workload as it is. */
  async restartAll(): Promise<void> {
    const objects = [...this.workloads.values()].map((w) => w.object).filter((o) => o.kind !== 'Job');
    for (const o of objects) {
      await this.workloads.get(ref(o))!.delete();
      this.workloads.delete(ref(o));
    }
    for (const o of objects) {
      const w = await startWorkload(this, o);
      if (w) this.workloads.set(ref(o), w);
    }
  }
}

export { Network };
