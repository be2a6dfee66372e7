import type { ErrorObject } from 'ajv';
import { SCHEMA_OPTIONS, schemaValidator as compiledSchema } from '../schemas/validators.js';
import { InputError, uniqueProblems, type InputProblem, type SourceLocation } from '../errors.js';
import { SourceLayout } from '../repo/layout.js';
import { deepMerge, isPlainObject, shortJson, type LoadedDefaults, type LoadedEnvironment, type LoadedSources } from './load.js';
import { crossFileProblems } from './cluster-rules.js';
import { MAX_STATEFULSET_NAME, majorOfTag, upgradeStatefulSetName } from './postgres-upgrade.js';
import { capProblems, escapePointer } from './source.js';
import type { EnvironmentFile } from './types.js';
import { DEFAULT_MLFLOW_TAG, embeddedMinioWarning, mlflowImageAdvice } from './upstream.js';

/** An environment that passed every check, with where its values came from. */
export interface ValidEnvironment {
  name: string;
  /** As shown in messages (relative to the source repository). */
  file: string;
  /** Absolute folder of the file: relative paths in it (certificates) resolve against it. */
  dir: string;
  value: EnvironmentFile;
  /** Advice that does not stop a render (e.g. an image that may lack drivers). */
  warnings: InputProblem[];
  /** Where a JSON pointer's value was written (the file, else defaults.yaml): for problems found after validation. */
  locate: (pointer: string) => SourceLocation;
}

/** ajv options for schemas/environment.schema.json (exported for the schema's own test). */
export const ENVIRONMENT_SCHEMA_OPTIONS = SCHEMA_OPTIONS['environment.schema.json'];

const schemaValidator = () => compiledSchema('environment.schema.json');

/** Finds where a JSON pointer's value was written: the environment file first, then defaults.yaml. */
export function locate(env: LoadedEnvironment, defaults: LoadedDefaults, pointer: string, key = false): SourceLocation {
  const maps = [{ source: env.source, prefix: '' }, ...(defaults.source ? [{ source: defaults.source, prefix: '/environment' }] : [])];
  for (let p = pointer; ; p = p.slice(0, Math.max(0, p.lastIndexOf('/')))) {
    for (const { source, prefix } of maps) {
      const hit = (key && p === pointer ? source.keys.get(prefix + p) : undefined) ?? source.values.get(prefix + p);
      if (hit && (prefix === '' || p !== '')) return hit;
    }
    if (p === '') return env.source.values.get('') ?? { file: env.source.file, line: 1, col: 1 };
  }
}

const fieldOf = (pointer: string): string =>
  pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? `[${s}]` : s))
    .join('.')
    .replace(/\.\[/g, '[');

function describeAjvError(e: ErrorObject): { pointer: string; key: boolean; message: string; hint?: string } {
  const described = (e.parentSchema as { description?: string } | undefined)?.description;
  switch (e.keyword) {
    case 'additionalProperties': {
      const prop = String((e.params as { additionalProperty: string }).additionalProperty);
      const known = Object.keys((e.parentSchema as { properties?: object }).properties ?? {});
      return { pointer: `${e.instancePath}/${escapePointer(prop)}`, key: true, message: `unknown key '${prop}'`, hint: `known keys here: ${known.join(', ')}` };
    }
    case 'required': {
      const prop = String((e.params as { missingProperty: string }).missingProperty);
      return { pointer: e.instancePath, key: false, message: `missing required key '${prop}'`, hint: `add '${prop}' here or in ${SourceLayout.defaultsFile} under environment:` };
    }
    case 'type':
      return { pointer: e.instancePath, key: false, message: `must be ${String((e.params as { type: string }).type).replace(',', ' or ')}`, hint: described };
    case 'enum':
      return { pointer: e.instancePath, key: false, message: `must be one of: ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}` };
    case 'minimum':
    case 'maximum':
      return { pointer: e.instancePath, key: false, message: `${shortJson(e.data)} is out of range (${e.message ?? ''})`, hint: described };
    case 'pattern':
      return {
        pointer: e.instancePath,
        key: false,
        message: `${shortJson(e.data)} is not valid`,
        hint: described ? `expected ${described}` : `must match ${String((e.params as { pattern: string }).pattern)}`,
      };
    case 'anyOf':
      return { pointer: e.instancePath, key: false, message: 'an image needs a tag or a digest', hint: `set image.tag (e.g. ${DEFAULT_MLFLOW_TAG}) or image.digest (sha256:…)` };
    default:
      return { pointer: e.instancePath, key: false, message: e.message ?? e.keyword, hint: described };
  }
}

function schemaProblems(env: LoadedEnvironment, defaults: LoadedDefaults, merged: unknown): InputProblem[] {
  const validate = schemaValidator();
  if (validate(merged)) return [];
  const errors = (validate.errors ?? []).filter(
    // anyOf's branch errors repeat the anyOf error itself.
    (e, _i, all) => !(e.keyword === 'required' && all.some((o) => o.keyword === 'anyOf' && o.instancePath === e.instancePath)),
  );
  return errors
    .map((e) => {
      const d = describeAjvError(e);
      return { location: locate(env, defaults, d.pointer, d.key), field: fieldOf(d.pointer), message: d.message, hint: d.hint };
    })
    .sort((a, b) => a.location.file.localeCompare(b.location.file) || a.location.line - b.location.line || a.location.col - b.location.col);
}

/** Rules a JSON Schema cannot say clearly. */
function semanticProblems(env: LoadedEnvironment, defaults: LoadedDefaults, v: EnvironmentFile): { problems: InputProblem[]; warnings: InputProblem[] } {
  const problems: InputProblem[] = [];
  const warnings: InputProblem[] = [];
  const at = (pointer: string, key = false) => locate(env, defaults, pointer, key);
  const add = (pointer: string, message: string, hint?: string) => problems.push({ location: at(pointer), field: fieldOf(pointer), message, hint });

  if (v.name !== env.name)
    add('/name', `is '${v.name}' but the file is ${SourceLayout.envFileName(env.name)}`, `set name: ${env.name}, or rename the file to ${SourceLayout.envFileName(v.name)}`);
  const production = isProduction(v);
  if (v.secrets.provider === 'plain') {
    if (production) add('/secrets/provider', 'plain secrets are refused for a production environment', 'use sealed-secrets, external-secrets or existing');
    else if (v.allowPlaintextSecrets !== true)
      add('/secrets/provider', 'plain secrets need allowPlaintextSecrets: true', 'prefer sealed-secrets, external-secrets or existing; plain writes credentials into Git');
  }
  if (production && v.allowPlaintextSecrets === true) add('/allowPlaintextSecrets', 'is not allowed in a production environment', 'remove it');
  if (v.secrets.provider === 'sealed-secrets' && !v.secrets.sealedSecrets)
    add('/secrets', "provider sealed-secrets needs 'sealedSecrets.certificate'", 'fetch it with kubeseal --fetch-cert > certs/<env>.pem and name that file');
  if (v.secrets.provider === 'external-secrets' && !v.secrets.externalSecrets)
    add('/secrets', "provider external-secrets needs 'externalSecrets.storeRef.name'", 'name the (Cluster)SecretStore that holds the values');

  const needs = (section: 'postgres' | 'minio', mode: string, keys: string[], hint: string) => {
    for (const k of keys) if ((v[section] as Record<string, unknown>)[k] === undefined) add(`/${section}`, `mode ${mode} needs '${k}'`, hint);
  };
  const forbids = (section: 'postgres' | 'minio', mode: string, keys: string[]) => {
    for (const k of keys) {
      if ((v[section] as Record<string, unknown>)[k] !== undefined && env.source.values.has(`/${section}/${k}`)) {
        problems.push({ location: at(`/${section}/${k}`, true), field: `${section}.${k}`, message: `does not apply to mode ${mode}`, hint: 'remove it' });
      }
    }
  };
  if (v.postgres.mode === 'embedded') {
    needs('postgres', 'embedded', ['name', 'namespace', 'image', 'storage'], 'an embedded PostgreSQL is rendered as a StatefulSet and needs these');
    forbids('postgres', 'embedded', ['host', 'sslMode']);
    if (v.postgres.majorUpgrade && v.postgres.image && v.postgres.name) {
      const waiting = majorUpgradeProblems(v.postgres.name, v.postgres.image.tag, v.postgres.majorUpgrade.from, add);
      if (waiting) warnings.push({ location: at('/postgres/majorUpgrade/from'), field: 'postgres.majorUpgrade', ...waiting });
    }
  } else {
    needs('postgres', 'external', ['host'], 'point at the PostgreSQL managed elsewhere');
    forbids('postgres', 'external', ['name', 'namespace', 'storage', 'majorUpgrade']);
  }
  if (v.minio.mode === 'embedded') {
    needs('minio', 'embedded', ['name', 'namespace', 'image', 'storage'], 'an embedded MinIO is rendered as a StatefulSet and needs these');
    // mc could not take credentials with ':', '@' or '/' (MC_HOST_<alias> is a URL it never
    // percent-decodes), so the bucket is created by the MLflow image with boto3 (issue 13.6).
    if (v.minio.clientImage !== undefined) {
      warnings.push({
        location: at('/minio/clientImage'),
        field: 'minio.clientImage',
        message: 'is no longer used: the bucket is created by the MLflow image (boto3), which takes credentials with any characters',
        hint: 'remove it',
      });
    }
    forbids('minio', 'embedded', ['endpoint']);
  } else {
    needs('minio', 'external', ['endpoint'], 'the S3 endpoint URL of the MinIO managed elsewhere');
    forbids('minio', 'external', ['name', 'namespace', 'storage']);
  }

  // Container memory is rendered in whole Mi (cdk8s-plus converts it): 1536Ki is fine, 1Ki is not.
  for (const section of ['mlflow', 'postgres', 'minio'] as const) {
    const r = v[section].resources;
    if (!r) continue;
    for (const kind of ['requests', 'limits'] as const) {
      const m = /^(\d+)Ki$/.exec(r[kind].memory);
      if (m && Number(m[1]) % 1024 !== 0) {
        add(
          `/${section}/resources/${kind}/memory`,
          `${r[kind].memory} is not a whole number of Mi`,
          `container memory is rendered in Mi; write e.g. ${Math.max(1, Math.ceil(Number(m[1]) / 1024))}Mi`,
        );
      }
    }
  }

  problems.push(...apiServerRules(v, at));

  const advice = mlflowImageAdvice(v.mlflow.image);
  if (advice.refused) add('/mlflow/image/tag', advice.refused.message, advice.refused.hint);
  if (advice.warning) warnings.push({ location: at('/mlflow/image/tag'), field: 'mlflow.image.tag', ...advice.warning });
  return { problems, warnings };
}

/**
 * Quantity of a Kubernetes resource value (`250m`, `1.5`, `512Mi`, `10Gi`),
 * for comparisons; NaN when it is not one (the schema has refused it then).
 */
export function quantity(v: string | number): number {
  if (typeof v === 'number') return v;
  const m = /^(\d+(?:\.\d+)?)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/.exec(v);
  if (!m) return Number.NaN;
  const scale: Record<string, number> = {
    m: 1e-3,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    P: 1e15,
    E: 1e18,
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
    Pi: 2 ** 50,
    Ei: 2 ** 60,
  };
  return Number(m[1]) * (m[2] ? scale[m[2]]! : 1);
}

/**
 * What the API server's validation (k8s.io/kubernetes pkg/apis/core/validation)
 * refuses and a JSON Schema cannot say: ValidateResourceRequirements, "must be
 * less than or equal to <resource> limit" for each container, and
 * ValidatePersistentVolumeClaimSpec, a storage request "must be greater than zero".
 */
function apiServerRules(v: EnvironmentFile, at: (pointer: string) => SourceLocation): InputProblem[] {
  const problems: InputProblem[] = [];
  for (const section of ['mlflow', 'postgres', 'minio'] as const) {
    const r = v[section].resources;
    if (r) {
      for (const res of ['cpu', 'memory'] as const) {
        const req = r.requests[res];
        const lim = r.limits[res];
        if (quantity(req) > quantity(lim)) {
          const pointer = `/${section}/resources/requests/${res}`;
          problems.push({
            location: at(pointer),
            field: fieldOf(pointer),
            message: `${req} is above the ${res} limit ${lim}: the API server refuses a container whose request exceeds its limit`,
            hint: `lower the request to at most ${lim}, or raise ${section}.resources.limits.${res}`,
          });
        }
      }
    }
    const storage = section === 'mlflow' ? undefined : v[section].storage;
    if (storage && !(quantity(storage.size) > 0)) {
      const pointer = `/${section}/storage/size`;
      problems.push({
        location: at(pointer),
        field: fieldOf(pointer),
        message: `${storage.size} is not a size the API server accepts: a volume claim's storage request must be greater than zero`,
        hint: 'give a size like 10Gi',
      });
    }
  }
  return problems;
}

/**
 * `postgres.majorUpgrade` on its own: the StatefulSet it renders is named
 * after the image's major, so the tag must name one; a name that would be
 * too long is refused. Returns a warning while it waits for an image above
 * `from` (see upgradedStatefulSet). Whether `from` is what the config repo
 * runs is checked when rendering (check/postgres-volume.ts).
 */
function majorUpgradeProblems(
  name: string,
  tag: string | undefined,
  from: number,
  add: (pointer: string, message: string, hint?: string) => void,
): { message: string; hint: string } | undefined {
  const major = majorOfTag(tag);
  if (major === undefined) {
    add(
      '/postgres/image',
      `postgres.majorUpgrade needs to know the new major version, but the image ${tag ? `tag '${tag}' does not start with it` : 'has no tag'}`,
      'name the major in postgres.image.tag, e.g. tag: "18.1" (keep a digest next to it to pin the image)',
    );
    return undefined;
  }
  if (major <= from) {
    return {
      message: `waits: postgres.image is PostgreSQL ${major}, not above from: ${from}; nothing changes until the image moves to a later major (by hand or through gen-gitops promote)`,
      hint: 'remove majorUpgrade if no major upgrade is planned',
    };
  }
  const statefulSet = upgradeStatefulSetName(name, major);
  if (statefulSet.length > MAX_STATEFULSET_NAME) {
    add(
      '/postgres/name',
      `makes the upgraded StatefulSet name '${statefulSet}' longer than ${MAX_STATEFULSET_NAME} characters`,
      `shorten postgres.name to at most ${MAX_STATEFULSET_NAME - statefulSet.length + name.length} characters`,
    );
  }
  return undefined;
}

export function isProduction(v: Pick<EnvironmentFile, 'name' | 'production'>): boolean {
  return v.production === true || v.name === 'prod' || v.name === 'production';
}

/**
 * Validates every environment file (cross-file rules need all of them) and
 * returns them all; throws one InputError listing every problem.
 */
export function validateSources(sources: LoadedSources): ValidEnvironment[] {
  const problems: InputProblem[] = [];
  const valid: { env: LoadedEnvironment; value: EnvironmentFile; warnings: InputProblem[] }[] = [];
  for (const env of sources.environments) {
    const raw = env.source.value;
    if (!isPlainObject(raw)) {
      problems.push({
        location: env.source.values.get('') ?? { file: env.source.file, line: 1, col: 1 },
        message: raw === null || raw === undefined ? 'file is empty' : `must be a mapping of settings, not ${Array.isArray(raw) ? 'a list' : typeof raw}`,
        hint: `start with name: ${env.name}`,
      });
      continue;
    }
    const merged = deepMerge(sources.defaults.environment, raw);
    const schema = schemaProblems(env, sources.defaults, merged);
    if (schema.length > 0) {
      problems.push(...capProblems(schema, env.source.file));
      continue;
    }
    const value = merged as EnvironmentFile;
    const { problems: semantic, warnings } = semanticProblems(env, sources.defaults, value);
    problems.push(...semantic);
    if (semantic.length === 0) valid.push({ env, value, warnings });
  }
  problems.push(...crossFileProblems(valid, (env, pointer) => locate(env, sources.defaults, pointer)));
  for (const stage of sources.defaults.stages) {
    if (!sources.environments.some((e) => e.name === stage)) {
      problems.push({
        location: sources.defaults.source?.values.get('/stages') ?? { file: SourceLayout.defaultsFile, line: 1, col: 1 },
        field: 'stages',
        message: `names '${stage}', which has no environment file`,
        hint: `create ${SourceLayout.envFile(stage)} or remove it from stages`,
      });
    }
  }
  if (problems.length > 0) throw new InputError(uniqueProblems(problems));
  return valid.map(({ env, value, warnings }) => ({
    name: env.name,
    file: env.source.file,
    dir: sources.dir,
    value,
    warnings,
    locate: (pointer: string) => locate(env, sources.defaults, pointer),
  }));
}

/**
 * Advice about the run as a whole rather than one environment: told once,
 * naming the selected environments it concerns, however many there are.
 */
export function runWarnings(sources: LoadedSources, valid: ValidEnvironment[], selected: string[]): InputProblem[] {
  const concerned = valid
    .filter((v) => selected.includes(v.name) && v.value.minio.mode === 'embedded')
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((v) => ({
      name: v.name,
      at: locate(
        sources.environments.find((e) => e.name === v.name)!,
        sources.defaults,
        '/minio/mode',
      ),
    }));
  const minio = embeddedMinioWarning(concerned);
  return minio ? [minio] : [];
}
