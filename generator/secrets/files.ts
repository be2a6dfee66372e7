import { MAX_INPUT_FILE_BYTES, readInputFile, unreadableReason } from '../environment/input-file.js';
import { InputError, UsageError, type InputProblem } from '../errors.js';
import { CREDENTIALS, credentialEnvVar, credentialSlug, isCredentialId, suppliedValueProblem, type CredentialId } from './credentials.js';

/**
 * `--secret-file <name>=<path>` (repeatable): a credential read from a file
 * instead of the process environment, so it never shows in `ps`, shell
 * history or CI logs. `<name>` is either
 *   - the documented variable name, e.g. `GEN_GITOPS_STG_POSTGRES_PASSWORD`, or
 *   - `<env>.<credential>`, e.g. `stg.postgresPassword` or `stg.postgres-password`.
 * One trailing line break is stripped (`echo secret > file` works), nothing else.
 *
 * Returns variable name → value, to merge over the process environment
 * (`{ ...process.env, ...readSecretFiles(specs) }`: a file named on the
 * command line wins over an ambient variable).
 */
export function readSecretFiles(specs: string[], opts: { knownEnvs?: string[]; readFile?: (path: string) => string } = {}): Record<string, string> {
  // Named on the command line, so not confined to the source repository; still only a bounded regular file.
  const read = opts.readFile ?? ((p: string) => readInputFile(p, { maxBytes: MAX_INPUT_FILE_BYTES }));
  const out: Record<string, string> = {};
  const origin = new Map<string, string>();
  const problems: InputProblem[] = [];
  for (const spec of specs) {
    const field = `--secret-file ${spec}`;
    const eq = spec.indexOf('=');
    if (eq <= 0 || eq === spec.length - 1) {
      throw new UsageError(
        `--secret-file expects <name>=<path>, got '${spec}' (e.g. --secret-file GEN_GITOPS_STG_POSTGRES_PASSWORD=./pg.txt or --secret-file stg.postgresPassword=./pg.txt)`,
      );
    }
    const name = spec.slice(0, eq).trim();
    const path = spec.slice(eq + 1).trim();
    const target = parseCredentialName(name, opts.knownEnvs);
    if ('error' in target) {
      problems.push({ field, message: target.error, hint: target.hint });
      continue;
    }
    const variable = credentialEnvVar(target.env, target.id);
    const earlier = origin.get(variable);
    if (earlier !== undefined) {
      problems.push({ field, message: `names ${variable} again (already read from ${earlier})`, hint: 'give each credential once' });
      continue;
    }
    let text: string;
    try {
      text = read(path);
    } catch (e) {
      const why = unreadableReason(e);
      problems.push({ field, message: `cannot read ${path}: ${why}` });
      continue;
    }
    const value = text.replace(/\r?\n$/, '');
    if (value === '') {
      problems.push({ field, message: `${path} is empty`, hint: `write the ${variable} value into it` });
      continue;
    }
    const p = suppliedValueProblem(target.env, target.id, value, field);
    if (p) {
      problems.push({ ...p, message: `${p.message} (read from ${path})` });
      continue;
    }
    origin.set(variable, path);
    out[variable] = value;
  }
  if (problems.length > 0) throw new InputError(problems);
  return out;
}

/** `GEN_GITOPS_STG_POSTGRES_PASSWORD` or `stg.postgresPassword` / `stg.postgres-password` → env + credential. */
export function parseCredentialName(name: string, knownEnvs?: string[]): { env: string; id: CredentialId } | { error: string; hint?: string } {
  const names = CREDENTIALS.map((c) => `${c} (${credentialSlug(c)})`).join(', ');
  let env: string | undefined;
  let id: CredentialId | undefined;
  const dot = name.lastIndexOf('.');
  if (dot > 0) {
    env = name.slice(0, dot);
    const cred = name.slice(dot + 1);
    id = isCredentialId(cred) ? cred : CREDENTIALS.find((c) => credentialSlug(c) === cred);
    if (!id) return { error: `unknown credential '${cred}'`, hint: `known credentials: ${names}` };
  } else if (name.startsWith('GEN_GITOPS_')) {
    const envs = knownEnvs ?? [];
    for (const c of CREDENTIALS) {
      const suffix = credentialEnvVar('x', c).slice('GEN_GITOPS_X'.length); // `_POSTGRES_PASSWORD`
      if (!name.endsWith(suffix)) continue;
      const upperEnv = name.slice('GEN_GITOPS_'.length, name.length - suffix.length);
      if (upperEnv === '') continue;
      id = c;
      // Environment names are lower-case with dashes; the variable upper-cases them and turns dashes into underscores.
      env = envs.find((e) => credentialEnvVar(e, c) === name) ?? upperEnv.toLowerCase().replace(/_/g, '-');
      break;
    }
    if (!id || !env)
      return {
        error: `'${name}' is not a gen-gitops credential variable`,
        hint: `expected GEN_GITOPS_<ENV>_<CREDENTIAL> with <CREDENTIAL> one of ${CREDENTIALS.map((c) => credentialEnvVar('x', c).slice('GEN_GITOPS_X_'.length)).join(', ')}`,
      };
  } else {
    return { error: `'${name}' names no credential`, hint: `use GEN_GITOPS_<ENV>_<CREDENTIAL> or <env>.<credential>; credentials: ${names}` };
  }
  if (!/^[a-z0-9][-a-z0-9]*$/.test(env)) return { error: `'${env}' is not an environment name`, hint: 'environment names are lower-case letters, digits and dashes' };
  if (knownEnvs && !knownEnvs.includes(env)) return { error: `unknown environment '${env}'`, hint: `known: ${knownEnvs.join(', ')}` };
  return { env, id };
}
