/**
 * What run.ts (outside, with the registries) hands to inside.ts (inside the
 * namespaces, with no network), and what comes back.
 */
import type { KObject } from './harness/objects.js';

export interface AppSync {
  /** The Application's name, e.g. `mlflow-stg`. */
  readonly name: string;
  readonly objects: readonly KObject[];
  /** The destination namespace, when the Application syncs with CreateNamespace=true. */
  readonly createNamespace?: string;
}

export type Step =
  | { readonly kind: 'sync'; readonly label: string; readonly apps: readonly AppSync[] }
  | { readonly kind: 'restart'; readonly label: string }
  /** kubectl apply by a person (e.g. Secrets replaced with rotated values). */
  | { readonly kind: 'apply'; readonly label: string; readonly objects: readonly KObject[] }
  | { readonly kind: 'client'; readonly label: string; readonly python: string; readonly script: string; readonly env: Readonly<Record<string, string>> };

export interface Plan {
  readonly stateDir: string;
  readonly healthTimeoutSeconds: number;
  /** Objects that exist before the first sync (what a person created with kubectl). */
  readonly preload: readonly KObject[];
  readonly steps: readonly Step[];
  /** Credential values no process's command line may contain. */
  readonly secrets: readonly string[];
  /** PEM private key: the harness plays the Sealed Secrets controller with it. */
  readonly sealedSecretsKey?: string;
  /** --serve: unix sockets forwarded to addresses inside the namespace. */
  readonly serve?: readonly { readonly socket: string; readonly host: string; readonly port: number }[];
}

export interface ClientCheck {
  readonly check: string;
  readonly ok: boolean;
  readonly detail: string;
}

export interface StepResult {
  readonly label: string;
  readonly kind: Step['kind'];
  ok: boolean;
  seconds: number;
  message: string;
  checks: ClientCheck[];
}

export interface Result {
  ok: boolean;
  readonly steps: StepResult[];
  leaks: string[];
}
