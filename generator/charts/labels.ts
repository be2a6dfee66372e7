import type { EnvironmentSpec } from '../environment/types.js';

/**
 * ArgoCD sync waves (DESIGN section 5). A later wave starts only once every
 * object of the earlier waves is healthy, so MLflow never starts against a
 * database that is not there yet.
 */
export const Wave = {
  namespace: -2,
  config: -1,
  database: 0,
  jobs: 1,
  server: 2,
} as const;

export const WAVE_ANNOTATION = 'argocd.argoproj.io/sync-wave';
export const MANAGED_BY = 'gen-gitops';

export interface AppIdentity {
  /** `app.kubernetes.io/name`: what the software is. */
  name: string;
  /** `app.kubernetes.io/instance`: which copy of it; unique in its namespace. */
  instance: string;
  component: string;
  version?: string;
}

/** Kubernetes recommended labels; selectors use only name + instance, which never change. */
export function recommendedLabels(spec: EnvironmentSpec, id: AppIdentity): Record<string, string> {
  return {
    'app.kubernetes.io/name': id.name,
    'app.kubernetes.io/instance': id.instance,
    ...(id.version ? { 'app.kubernetes.io/version': labelValue(id.version) } : {}),
    'app.kubernetes.io/component': id.component,
    'app.kubernetes.io/part-of': spec.partOf,
    'app.kubernetes.io/managed-by': MANAGED_BY,
  };
}

export function selectorLabels(id: AppIdentity): Record<string, string> {
  return { 'app.kubernetes.io/name': id.name, 'app.kubernetes.io/instance': id.instance };
}

/** Label values are at most 63 characters of [A-Za-z0-9_.-], starting and ending alphanumeric. */
export function labelValue(v: string): string {
  return v
    .replace(/[^A-Za-z0-9_.-]/g, '_')
    .slice(0, 63)
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
}

export const waveAnnotation = (wave: number): Record<string, string> => ({ [WAVE_ANNOTATION]: String(wave) });

/**
 * On the pod templates of everything that reads credentials: raising
 * `secrets.rotation` changes the template, so the next sync restarts those
 * pods and they read the rotated Secret (Kubernetes never restarts a pod for
 * a changed Secret). Absent at 0, so existing output does not change.
 */
export const rotationAnnotation = (spec: EnvironmentSpec): Record<string, string> =>
  spec.secrets.rotation > 0 ? { 'gen-gitops.dev/credentials-rotation': String(spec.secrets.rotation) } : {};
