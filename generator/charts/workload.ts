import { ApiObject, Duration, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import type { Construct } from 'constructs';
import type { Resources } from '../environment/types.js';
import { containerResources, dropAddrLabel, podSeccomp, restrictedContainer, restrictedPod } from './hardening.js';

/** Env vars read one key at a time, so each container shows exactly what it gets. */
export function envFromConfigMap(cm: kplus.IConfigMap, keys: readonly string[]): Record<string, kplus.EnvValue> {
  return Object.fromEntries(keys.map((k) => [k, kplus.EnvValue.fromConfigMap(cm, k)]));
}

export function envFromSecret(scope: Construct, name: string, keys: Record<string, string>): Record<string, kplus.EnvValue> {
  const id = `secret-ref-${name}`;
  const secret = (scope.node.tryFindChild(id) as kplus.ISecret | undefined) ?? kplus.Secret.fromSecretName(scope, id, name);
  return Object.fromEntries(Object.entries(keys).map(([envName, key]) => [envName, kplus.EnvValue.fromSecretValue({ secret, key })]));
}

export interface HookJobOptions {
  id: string;
  name: string;
  namespace: string;
  labels: Record<string, string>;
  podLabels: Record<string, string>;
  annotations: Record<string, string>;
  user: number;
  container: kplus.ContainerProps;
  resources: Resources;
  volumes?: { path: string; volume: kplus.Volume }[];
}

/**
 * A Job run as an ArgoCD Sync hook: recreated on every sync
 * (BeforeHookCreation) so a changed Job is never patched, which Kubernetes
 * refuses for a Job's pod template.
 */
export function addHookJob(scope: Construct, o: HookJobOptions): kplus.Job {
  const job = new kplus.Job(scope, o.id, {
    metadata: {
      name: o.name,
      namespace: o.namespace,
      labels: o.labels,
      annotations: { ...o.annotations, 'argocd.argoproj.io/hook': 'Sync', 'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation' },
    },
    podMetadata: { labels: o.podLabels },
    backoffLimit: 6,
    activeDeadline: Duration.minutes(30),
    securityContext: restrictedPod(o.user),
    containers: [{ ...o.container, securityContext: restrictedContainer(o.user), resources: containerResources(o.resources) }],
  });
  const tmp = kplus.Volume.fromEmptyDir(scope, `${o.id}-tmp`, 'tmp');
  job.containers[0]!.mount('/tmp', tmp);
  for (const v of o.volumes ?? []) job.containers[0]!.mount(v.path, v.volume, { readOnly: true });
  dropAddrLabel(job);
  podSeccomp(job);
  return job;
}

/**
 * A PVC per replica (plus has no construct for volumeClaimTemplates). The
 * patch passes through the generated KubeStatefulSet serialiser, which reads
 * quantities as k8s.Quantity objects: a bare string would be dropped.
 */
export function addVolumeClaimTemplate(set: kplus.StatefulSet, o: { name: string; size: string; storageClassName?: string; labels: Record<string, string> }): void {
  ApiObject.of(set).addJsonPatch(
    JsonPatch.add('/spec/volumeClaimTemplates', [
      {
        metadata: { name: o.name, labels: o.labels },
        spec: {
          accessModes: ['ReadWriteOnce'],
          ...(o.storageClassName ? { storageClassName: o.storageClassName } : {}),
          resources: { requests: { storage: kplus.k8s.Quantity.fromString(o.size) } },
        },
      },
    ]),
  );
}

export function addVolumeMount(set: kplus.Workload, container: number, mount: { name: string; mountPath: string }, list: 'containers' | 'initContainers' = 'containers'): void {
  ApiObject.of(set).addJsonPatch(JsonPatch.add(`/spec/template/spec/${list}/${container}/volumeMounts/-`, mount));
}
