import * as kplus from 'cdk8s-plus-28';
import type { Construct } from 'constructs';
import type { EnvironmentSpec, Resources, StorageFields } from '../environment/types.js';
import { containerResources, dropAddrLabel, dropAddrSelector, podSeccomp, restrictedContainer, restrictedPod } from './hardening.js';
import { recommendedLabels, rotationAnnotation, selectorLabels, Wave, waveAnnotation, type AppIdentity } from './labels.js';
import { addVolumeClaimTemplate, addVolumeMount } from './workload.js';

export interface StatefulServiceOptions {
  /** Construct id prefix, unique in the chart. */
  id: string;
  /** Name of the Services (what clients resolve), and of the StatefulSet unless `statefulSetName` says otherwise. */
  name: string;
  /** A StatefulSet named apart from its Services: its volume claims are named after it (PostgreSQL's new-volume major upgrade). */
  statefulSetName?: string;
  namespace: string;
  identity: AppIdentity;
  /** Ports of the headless Service that governs the StatefulSet (pod DNS). */
  headlessPorts: kplus.ServicePort[];
  /** Ports clients use. */
  servicePorts: kplus.ServicePort[];
  runAsUser: number;
  resources: Resources;
  container: Omit<kplus.ContainerProps, 'securityContext' | 'resources'>;
  /** Writable emptyDirs; the root file system stays read-only. */
  writable: { name: string; path: string }[];
  data: { mountPath: string; storage: StorageFields };
  /** Runs before the container on every start, with its environment, volumes and hardening. */
  init?: { name: string; command: string[] };
}

/**
 * A single-replica StatefulSet with its own volume claim, a headless
 * Service (stable pod DNS) and a client Service, hardened like every
 * workload we render. PostgreSQL and MinIO differ only in what they run.
 */
export function addStatefulService(scope: Construct, spec: EnvironmentSpec, o: StatefulServiceOptions): kplus.StatefulSet {
  const labels = recommendedLabels(spec, o.identity);
  const annotations = waveAnnotation(Wave.database);
  const headless = new kplus.Service(scope, `${o.id}-headless`, {
    metadata: { name: `${o.name}-headless`, namespace: o.namespace, labels, annotations },
    clusterIP: 'None',
    ports: o.headlessPorts,
  });
  const service = new kplus.Service(scope, o.id, {
    metadata: { name: o.name, namespace: o.namespace, labels, annotations },
    type: kplus.ServiceType.CLUSTER_IP,
    ports: o.servicePorts,
  });
  for (const s of [headless, service]) for (const [k, v] of Object.entries(selectorLabels(o.identity))) s.selectLabel(k, v);

  const set = new kplus.StatefulSet(scope, `${o.id}-statefulset`, {
    metadata: { name: o.statefulSetName ?? o.name, namespace: o.namespace, labels, annotations },
    service: headless,
    replicas: 1,
    select: false,
    podMetadata: { labels, annotations: rotationAnnotation(spec) },
    securityContext: restrictedPod(o.runAsUser),
    containers: [{ ...o.container, securityContext: restrictedContainer(o.runAsUser), resources: containerResources(o.resources) }],
  });
  set.select(kplus.LabelSelector.of({ labels: selectorLabels(o.identity) }));
  const writable = o.writable.map((w) => ({ path: w.path, volume: kplus.Volume.fromEmptyDir(scope, `${o.id}-${w.name}`, w.name) }));
  for (const w of writable) set.containers[0]!.mount(w.path, w.volume);
  addVolumeMount(set, 0, { name: 'data', mountPath: o.data.mountPath });
  if (o.init) {
    // The same image, environment, volumes and hardening as the server, minus ports and probes.
    const { startup: _s, readiness: _r, liveness: _l, ports: _p, ...base } = o.container;
    const init = set.addInitContainer({
      ...base,
      name: o.init.name,
      command: o.init.command,
      args: undefined,
      securityContext: restrictedContainer(o.runAsUser),
      resources: containerResources(o.resources),
    });
    for (const w of writable) init.mount(w.path, w.volume);
    addVolumeMount(set, 0, { name: 'data', mountPath: o.data.mountPath }, 'initContainers');
  }
  addVolumeClaimTemplate(set, { name: 'data', size: o.data.storage.size, storageClassName: o.data.storage.storageClassName, labels: selectorLabels(o.identity) });
  dropAddrLabel(set);
  dropAddrSelector(headless);
  podSeccomp(set);
  return set;
}
