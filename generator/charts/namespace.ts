import * as kplus from 'cdk8s-plus-28';
import type { Construct } from 'constructs';
import { MANAGED_BY, Wave, waveAnnotation } from './labels.js';

export interface NamespaceOptions {
  name: string;
  partOf: string;
  /** Shared namespaces (holding several environments' databases) are never deleted by ArgoCD. */
  shared: boolean;
}

/** Namespaces enforce Pod Security "restricted", which every pod we render satisfies. */
export function addNamespace(scope: Construct, o: NamespaceOptions): kplus.Namespace {
  return new kplus.Namespace(scope, `namespace-${o.name}`, {
    metadata: {
      name: o.name,
      labels: {
        'app.kubernetes.io/part-of': o.partOf,
        'app.kubernetes.io/managed-by': MANAGED_BY,
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/enforce-version': 'latest',
      },
      annotations: {
        ...waveAnnotation(Wave.namespace),
        ...(o.shared ? { 'argocd.argoproj.io/sync-options': 'Delete=false' } : {}),
      },
    },
  });
}
