/**
 * Last check before anything is written (DESIGN section 6): no credential
 * reaches Git in plaintext unless the environment explicitly allows plain
 * Secrets (allowPlaintextSecrets: true, never production).
 *
 *  1. A rendered `v1/Secret` carrying `data` or `stringData` is refused
 *     unless its environment allows plaintext.
 *  2. No string anywhere in the output (object values and keys, and every
 *     rendered file) may equal or contain a known secret value, or its
 *     base64 encoding, except inside the data of such an allowed plain Secret.
 *
 * Problems never quote the value; they name the file, the field and the
 * credential.
 */
import type { EnvironmentSpec } from '../environment/types.js';
import type { InputProblem } from '../errors.js';
import { Layout } from '../repo/layout.js';
import { CREDENTIAL_LABEL, type HandedOutCredential } from '../secrets/credentials.js';

/** A value that must not appear in the output, with a name for messages. */
export interface KnownSecret {
  value: string;
  label?: string;
}

/**
 * Values shorter than this are not searched for: they would match ordinary
 * words (a supplied MinIO user `admin`), and every real secret is longer
 * (MIN_LENGTH: passwords ≥ 8, generated values ≥ 20).
 */
export const MIN_GUARDED_LENGTH = 8;

/**
 * The credential source's handed-out values, labelled for messages
 * (credentialSource().handedOut()). A MinIO root user the operator chose is
 * an identifier (MLflow's S3 access key id), not a secret, and may
 * legitimately equal a name used elsewhere; it is left out. Generated ones
 * are random and stay in.
 */
export function knownSecretsOf(handedOut: HandedOutCredential[]): KnownSecret[] {
  return handedOut
    .filter((h) => !(h.id === 'minioRootUser' && h.origin === 'supplied'))
    .map((h) => ({ value: h.value, label: `${h.env} ${CREDENTIAL_LABEL[h.id]} (${h.origin})` }));
}

interface Needle {
  text: string;
  label: string;
  encoding: string;
}

function needles(known: (string | KnownSecret)[]): Needle[] {
  const out: Needle[] = [];
  const seen = new Set<string>();
  for (const k of known) {
    const { value, label } = typeof k === 'string' ? { value: k, label: undefined } : k;
    if (value.length < MIN_GUARDED_LENGTH) continue;
    const name = label ?? 'a secret value';
    const forms: [string, string][] = [
      [value, ''],
      [Buffer.from(value, 'utf8').toString('base64'), ' (base64-encoded)'],
      [Buffer.from(value, 'utf8').toString('base64url'), ' (base64url-encoded)'],
      [encodeURIComponent(value), ' (URL-encoded)'],
    ];
    for (const [text, encoding] of forms) {
      if (seen.has(text)) continue;
      seen.add(text);
      out.push({ text, label: name, encoding });
    }
  }
  // Longest first: report the most specific form.
  return out.sort((a, b) => b.text.length - a.text.length);
}

function envOfPath(path: string, specs: EnvironmentSpec[]): EnvironmentSpec | undefined {
  return specs.find((s) => path === Layout.envDir(s.name) || path.startsWith(`${Layout.envDir(s.name)}/`));
}

function allowsPlaintext(spec: EnvironmentSpec | undefined): boolean {
  return spec !== undefined && spec.allowPlaintextSecrets && !spec.production;
}

function isSecret(o: Record<string, unknown>): boolean {
  return o['kind'] === 'Secret' && (o['apiVersion'] === 'v1' || o['apiVersion'] === undefined);
}

function hasEntries(v: unknown): boolean {
  return typeof v === 'object' && v !== null && Object.keys(v).length > 0;
}

const fieldPath = (parts: (string | number)[]): string =>
  parts.map((p) => (typeof p === 'number' ? `[${p}]` : /^[A-Za-z_$][\w$-]*$/.test(p) ? `.${p}` : `[${JSON.stringify(p)}]`)).join('').replace(/^\./, '');

function objectName(o: Record<string, unknown>): string {
  const m = (o['metadata'] ?? {}) as { name?: unknown; namespace?: unknown };
  return `${String(o['kind'] ?? '?')} ${typeof m.namespace === 'string' ? `${m.namespace}/` : ''}${String(m.name ?? '?')}`;
}

export function secretGuardProblems(
  objects: { path: string; object: Record<string, unknown> }[],
  specs: EnvironmentSpec[],
  knownSecretValues: (string | KnownSecret)[],
  files?: Map<string, string>,
): InputProblem[] {
  const problems: InputProblem[] = [];
  const reported = new Set<string>();
  const report = (p: InputProblem & { field: string }) => {
    const k = `${p.field}\0${p.message}`;
    if (reported.has(k)) return;
    reported.add(k);
    problems.push(p);
  };
  const list = needles(knownSecretValues);
  const pathsWithFindings = new Set<string>();
  const allowedPlainFiles = new Set<string>();

  for (const { path, object } of objects) {
    const spec = envOfPath(path, specs);
    const secret = isSecret(object);
    const carriesData = secret && (hasEntries(object['data']) || hasEntries(object['stringData']));
    const allowedPlain = carriesData && allowsPlaintext(spec);
    if (carriesData && !allowedPlain) {
      report({
        field: path,
        message: `${objectName(object)} would commit credentials in plaintext (data/stringData), but ${
          spec ? `environment '${spec.name}' does not allow plain Secrets${spec.production ? ' (production)' : ''}` : 'it belongs to no environment that allows plain Secrets'
        }`,
        hint: 'use the sealed-secrets, external-secrets or existing provider; plain Secrets need allowPlaintextSecrets: true and never production',
      });
      pathsWithFindings.add(path);
    }
    if (allowedPlain) allowedPlainFiles.add(path);

    const walk = (v: unknown, at: (string | number)[]): void => {
      if (typeof v === 'string') {
        const hit = list.find((n) => v.includes(n.text));
        if (hit) {
          report({
            field: `${path}: ${fieldPath(at)}`,
            message: `${objectName(object)} contains the ${hit.label}${hit.encoding}${v === hit.text ? '' : ' inside a longer string'}`,
            hint: 'secret values may only reach the cluster through the secret provider (sealed, external or existing Secret), never through other objects',
          });
          pathsWithFindings.add(path);
        }
        return;
      }
      if (Array.isArray(v)) {
        v.forEach((x, i) => walk(x, [...at, i]));
        return;
      }
      if (typeof v === 'object' && v !== null) {
        for (const [k, x] of Object.entries(v)) {
          // The one place a value may be: the data of an allowed plain Secret.
          if (allowedPlain && at.length === 0 && (k === 'data' || k === 'stringData')) continue;
          walk(k, [...at, k]);
          walk(x, [...at, k]);
        }
      }
    };
    walk(object, []);
  }

  // Every other file (kustomization, ArgoCD parameters, READMEs...), and the
  // serialized objects as a backstop for anything the object walk missed.
  for (const [path, text] of files ?? []) {
    if (allowedPlainFiles.has(path) || pathsWithFindings.has(path)) continue;
    const hit = list.find((n) => text.includes(n.text));
    if (hit) {
      report({
        field: path,
        message: `the file contains the ${hit.label}${hit.encoding}`,
        hint: 'secret values may only reach the cluster through the secret provider, never through other files',
      });
    }
  }
  return problems;
}
