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

/** The environment owning a path, by its folder: a map lookup, so a fleet's check stays linear. */
function envIndex(specs: EnvironmentSpec[]): (path: string) => EnvironmentSpec | undefined {
  const byDir = new Map<string, EnvironmentSpec>();
  for (const s of specs) if (!byDir.has(Layout.envDir(s.name))) byDir.set(Layout.envDir(s.name), s);
  return (path) => {
    const dir = Layout.envFolderOf(path);
    return dir === undefined ? undefined : byDir.get(dir);
  };
}

/**
 * The first needle (in list order) that `text` contains, as `list.find((n) => text.includes(n.text))`,
 * but in one pass over `text` whatever the number of needles: a rolling hash
 * of every MIN_GUARDED_LENGTH-character window (every needle is at least that
 * long) is looked up among the hashes of the needles' first characters.
 */
function needleFinder(list: Needle[]): (text: string) => Needle | undefined {
  const W = MIN_GUARDED_LENGTH;
  const B = 0x01000193;
  let bw = 1; // B^(W-1), to drop the window's first character
  for (let i = 1; i < W; i++) bw = Math.imul(bw, B);
  const hashAt = (t: string, from: number) => {
    let h = 0;
    for (let i = from; i < from + W; i++) h = (Math.imul(h, B) + t.charCodeAt(i)) | 0;
    return h;
  };
  const buckets = new Map<number, number[]>();
  const seen = new Uint32Array(1 << 16); // 2^21-bit prefilter on the hash, before the map
  for (let j = 0; j < list.length; j++) {
    const h = hashAt(list[j]!.text, 0);
    const b = buckets.get(h);
    if (b) b.push(j);
    else buckets.set(h, [j]);
    seen[(h >>> 11) >>> 5]! |= 1 << ((h >>> 11) & 31);
  }
  return (text) => {
    if (list.length === 0 || text.length < W) return undefined;
    let best = -1;
    let h = hashAt(text, 0);
    for (let i = 0; ; i++) {
      if (seen[(h >>> 11) >>> 5]! & (1 << ((h >>> 11) & 31))) {
        for (const j of buckets.get(h) ?? []) if ((best === -1 || j < best) && text.startsWith(list[j]!.text, i)) best = j;
        if (best === 0) break;
      }
      if (i + W >= text.length) break;
      h = (Math.imul(h - Math.imul(text.charCodeAt(i), bw), B) + text.charCodeAt(i + W)) | 0;
    }
    return best === -1 ? undefined : list[best];
  };
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
  parts
    .map((p) => (typeof p === 'number' ? `[${p}]` : /^[A-Za-z_$][\w$-]*$/.test(p) ? `.${p}` : `[${JSON.stringify(p)}]`))
    .join('')
    .replace(/^\./, '');

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
  const find = needleFinder(needles(knownSecretValues));
  const envOfPath = envIndex(specs);
  const pathsWithFindings = new Set<string>();
  const allowedPlainFiles = new Set<string>();

  for (const { path, object } of objects) {
    const spec = envOfPath(path);
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

    // `at` is one stack, pushed and popped: only a finding copies it.
    const at: (string | number)[] = [];
    const walk = (v: unknown): void => {
      if (typeof v === 'string') {
        const hit = find(v);
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
        v.forEach((x, i) => {
          at.push(i);
          walk(x);
          at.pop();
        });
        return;
      }
      if (typeof v === 'object' && v !== null) {
        for (const [k, x] of Object.entries(v)) {
          // The one place a value may be: the data of an allowed plain Secret.
          if (allowedPlain && at.length === 0 && (k === 'data' || k === 'stringData')) continue;
          at.push(k);
          walk(k);
          walk(x);
          at.pop();
        }
      }
    };
    walk(object);
  }

  // Every other file (kustomization, ArgoCD parameters, READMEs...), and the
  // serialized objects as a backstop for anything the object walk missed.
  for (const [path, text] of files ?? []) {
    if (allowedPlainFiles.has(path) || pathsWithFindings.has(path)) continue;
    const hit = find(text);
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
