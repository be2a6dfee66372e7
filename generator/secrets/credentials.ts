import { randomBytes } from 'node:crypto';
import { CREDENTIALS, type CredentialId, type CredentialServer, type SecretSpec } from '../components/credential-catalogue.js';
import { componentCredentialServer, componentSecrets } from '../components/registry.js';
import type { EnvironmentSpec } from '../environment/types.js';
import { InputError, type InputProblem } from '../errors.js';

/**
 * The ids and Secret shapes live in the components' catalogue (a leaf, so
 * components can name credentials without importing this module); this
 * module adds the rules for values and where they come from.
 */
export { CREDENTIALS, type CredentialId, type CredentialServer, type SecretEntry, type SecretSpec } from '../components/credential-catalogue.js';

/** Lengths MLflow and MinIO accept: MinIO root password ≥ 8, MLflow admin password > 12. */
export const GENERATED_LENGTH: Record<CredentialId, number> = {
  postgresPassword: 32,
  minioRootUser: 20,
  minioRootPassword: 40,
  mlflowAdminPassword: 24,
  flaskSecretKey: 48,
};
export const MIN_LENGTH: Record<CredentialId, number> = {
  postgresPassword: 12,
  minioRootUser: 3,
  minioRootPassword: 8,
  mlflowAdminPassword: 13,
  flaskSecretKey: 32,
};

/**
 * Characters a component cannot take at all (issue 13.6). Everything else
 * works in every credential: the launcher percent-encodes database URIs and
 * escapes the auth INI file, and nothing composes a URL from credentials.
 * MinIO refuses '=' and ',' in access keys (internal/auth ContainsReservedChars):
 * the SigV4 Authorization header is split on them (cmd/signature-v4-parser.go).
 */
const RESERVED: Partial<Record<CredentialId, { chars: string[]; why: string }>> = {
  minioRootUser: { chars: ['=', ','], why: "MinIO refuses in access keys (the S3 signature header is split on '=' and ',')" },
};

/** Process environment variable that supplies a credential, e.g. GEN_GITOPS_STG_POSTGRES_PASSWORD. */
export function credentialEnvVar(env: string, id: CredentialId): string {
  const snake = id.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();
  return `GEN_GITOPS_${env.toUpperCase().replace(/-/g, '_')}_${snake}`;
}

/**
 * Alphanumeric only: such values survive URIs, INI files and shell
 * expansion unescaped. 62 symbols × 32 characters ≈ 190 bits.
 */
export function generateCredential(id: CredentialId): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const n = GENERATED_LENGTH[id];
  const out: string[] = [];
  while (out.length < n) {
    for (const b of randomBytes(n * 2)) {
      // Rejection sampling keeps every symbol equally likely.
      if (b < 248 && out.length < n) out.push(alphabet[b % 62]!);
    }
  }
  return out.join('');
}

/** Every Secret the environment's workloads read: the union over its components (generator/components/registry.ts). */
export function secretSpecs(spec: EnvironmentSpec): SecretSpec[] {
  return componentSecrets(spec);
}

/** Human name of a credential, for messages. */
export const CREDENTIAL_LABEL: Record<CredentialId, string> = {
  postgresPassword: 'PostgreSQL password',
  minioRootUser: 'MinIO root user (MLflow S3 access key id)',
  minioRootPassword: 'MinIO root password (MLflow S3 secret key)',
  mlflowAdminPassword: 'MLflow admin password',
  flaskSecretKey: 'MLflow Flask secret key',
};

export function isCredentialId(v: string): v is CredentialId {
  return (CREDENTIALS as readonly string[]).includes(v);
}

/** `postgresPassword` → `postgres-password` (remote key names, --secret-file names). */
export function credentialSlug(id: CredentialId): string {
  return id.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** One place a credential is carried: a key of one Secret. */
export interface CredentialCarrier {
  secret: SecretSpec;
  key: string;
}

/** Every Secret key carrying `id` in this environment (several when values must agree). */
export function carriersOf(spec: EnvironmentSpec, id: CredentialId, specs: SecretSpec[] = secretSpecs(spec)): CredentialCarrier[] {
  return specs.flatMap((secret) => secret.entries.filter((e) => e.credential === id).map((e) => ({ secret, key: e.key })));
}

/** Credentials the environment uses, in CREDENTIALS order. */
export function credentialsUsed(spec: EnvironmentSpec, specs: SecretSpec[] = secretSpecs(spec)): CredentialId[] {
  const used = new Set(specs.flatMap((s) => s.entries.map((e) => e.credential)));
  return CREDENTIALS.filter((c) => used.has(c));
}

/** Who enforces or persists a credential (see CredentialServer): the component that stands for its server says. */
export function credentialServer(spec: EnvironmentSpec, id: CredentialId): CredentialServer | undefined {
  return componentCredentialServer(spec, id);
}

/** Problem for a supplied value that MLflow/MinIO would refuse or that is too weak; never shows the value. */
export function suppliedValueProblem(env: string, id: CredentialId, value: string, via?: string): InputProblem | undefined {
  const name = credentialEnvVar(env, id);
  if (value.length < MIN_LENGTH[id]) {
    return {
      field: via ?? name,
      message: `the ${CREDENTIAL_LABEL[id]} for environment '${env}' is ${value.length} character${value.length === 1 ? '' : 's'} long; it needs at least ${MIN_LENGTH[id]}`,
      hint: `supply a longer value in ${name} (or unset it and let gen-gitops generate one)`,
    };
  }
  if (/[\r\n\0]/.test(value)) {
    return {
      field: via ?? name,
      message: `the ${CREDENTIAL_LABEL[id]} for environment '${env}' contains a line break or NUL character`,
      hint: 'credentials are single-line values',
    };
  }
  const reserved = RESERVED[id]?.chars.find((c) => value.includes(c));
  if (reserved !== undefined) {
    return {
      field: via ?? name,
      message: `the ${CREDENTIAL_LABEL[id]} for environment '${env}' contains '${reserved}', which ${RESERVED[id]!.why}`,
      hint: `supply a value without ${RESERVED[id]!.chars.map((c) => `'${c}'`).join(' or ')} in ${name}`,
    };
  }
  if (id === 'minioRootUser' && value.trim() !== value) {
    return {
      field: via ?? name,
      message: `the ${CREDENTIAL_LABEL[id]} for environment '${env}' starts or ends with white space, which S3 signatures trim`,
      hint: `supply a value without leading or trailing spaces in ${name}`,
    };
  }
  return undefined;
}

/** Checks every supplied credential of these environments up front (all problems at once). */
export function suppliedCredentialProblems(environ: Record<string, string | undefined>, envs: string[]): InputProblem[] {
  const problems: InputProblem[] = [];
  for (const env of envs) {
    for (const id of CREDENTIALS) {
      const v = environ[credentialEnvVar(env, id)];
      if (v === undefined || v === '') continue;
      const p = suppliedValueProblem(env, id, v);
      if (p) problems.push(p);
    }
  }
  return problems;
}

/**
 * Where credential values come from, in order: supplied (process
 * environment or --secret-file), kept (what the config repo already holds in
 * plain Secrets, so a running database keeps its password), generated. Built
 * at the edge; the render only asks it for values.
 */
export interface CredentialSource {
  /** The value to use; generated (once per environment and credential) when neither supplied nor kept. */
  value(env: string, id: CredentialId): string;
  /** True when the value was supplied explicitly for this run (environment variable or --secret-file). */
  supplied?(env: string, id: CredentialId): boolean;
  /** The value if known without generating one (supplied, or kept from a plain Secret). */
  known?(env: string, id: CredentialId): string | undefined;
}

export interface CredentialSourceOptions {
  /** Process environment (supplied values), with --secret-file values merged in. */
  environ: Record<string, string | undefined>;
  /** A value already in the config repo for this environment, if any. */
  kept?: (env: string, id: CredentialId) => string | undefined;
  generate?: (id: CredentialId) => string;
}

/** A value the source handed out: everything the secrets guard must never find in the output. */
export interface HandedOutCredential {
  env: string;
  id: CredentialId;
  value: string;
  origin: 'supplied' | 'kept' | 'generated';
}

export interface TrackedCredentialSource extends Required<CredentialSource> {
  /** Every value handed out so far (supplied, kept or generated), for the secrets guard. */
  handedOut(): HandedOutCredential[];
  /** Just the values of handedOut(), deduplicated. */
  knownValues(): string[];
}

export function credentialSource(opts: CredentialSourceOptions): TrackedCredentialSource {
  const cache = new Map<string, HandedOutCredential>();
  const fromEnviron = (env: string, id: CredentialId): string | undefined => {
    const v = opts.environ[credentialEnvVar(env, id)];
    if (v === undefined || v === '') return undefined;
    const problem = suppliedValueProblem(env, id, v);
    if (problem) throw new InputError([problem]);
    return v;
  };
  const lookup = (env: string, id: CredentialId, generate: boolean): HandedOutCredential | undefined => {
    const k = `${env}/${id}`;
    const hit = cache.get(k);
    if (hit) return hit;
    let entry: HandedOutCredential | undefined;
    const supplied = fromEnviron(env, id);
    if (supplied !== undefined) entry = { env, id, value: supplied, origin: 'supplied' };
    else {
      const kept = opts.kept?.(env, id);
      if (kept !== undefined) entry = { env, id, value: kept, origin: 'kept' };
      else if (generate) entry = { env, id, value: (opts.generate ?? generateCredential)(id), origin: 'generated' };
    }
    if (entry) cache.set(k, entry);
    return entry;
  };
  return {
    value: (env, id) => lookup(env, id, true)!.value,
    supplied: (env, id) => fromEnviron(env, id) !== undefined,
    known: (env, id) => lookup(env, id, false)?.value,
    handedOut: () => [...cache.values()],
    knownValues: () => [...new Set([...cache.values()].map((e) => e.value))],
  };
}
