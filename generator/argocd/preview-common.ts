/**
 * What preview.ts and its siblings (preview-render.ts, preview-checks.ts)
 * share: the loose JSON view of Kubernetes objects, where an Application
 * comes from, and the error that marks a construct the preview refuses to
 * guess (reported as "cannot be previewed exactly", not as an ArgoCD error).
 */

export const ARGO_API = 'argoproj.io/v1alpha1';

export type Json = Record<string, unknown>;
export const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
export const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export interface PreviewOrigin {
  application: string;
  applicationSet: string;
  /** argocd/ file holding the ApplicationSet. */
  file: string;
  /** The parameters file (files generator) or directory (directories generator) the Application comes from. */
  parameters: string;
}

export interface Generated {
  app: Json;
  origin: PreviewOrigin;
}

/** A construct the preview cannot evaluate exactly: refused, never guessed. */
export class Refused extends Error {}
