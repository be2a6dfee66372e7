/**
 * The kubelet's environment for a container: envFrom, env with valueFrom, and
 * Kubernetes `$(VAR)` expansion (k8s.io/kubernetes third_party/forked/golang/expansion):
 * `$(NAME)` is replaced when NAME is defined earlier, `$$` is a literal `$`,
 * anything else stays as written.
 */
import type { IContainer } from 'kubernetes-models/v1/Container';

/** A failure the kubelet reports as CreateContainerConfigError. */
export class ConfigError extends Error {}

export interface EnvSources {
  configMap(namespace: string, name: string): Readonly<Record<string, string>> | undefined;
  secret(namespace: string, name: string): Readonly<Record<string, string>> | undefined;
  field(path: string): string | undefined;
}

export function expand(input: string, vars: ReadonlyMap<string, string>): string {
  let out = '';
  for (let i = 0; i < input.length; i++) {
    const c = input[i];
    if (c !== '$' || i + 1 >= input.length) {
      out += c;
      continue;
    }
    const next = input[i + 1];
    if (next === '$') {
      out += '$';
      i++;
    } else if (next === '(') {
      const end = input.indexOf(')', i + 2);
      if (end < 0) {
        out += input.slice(i);
        break;
      }
      const name = input.slice(i + 2, end);
      const value = vars.get(name);
      out += value ?? `$(${name})`;
      i = end;
    } else {
      out += c;
    }
  }
  return out;
}

function lookup(
  kind: 'ConfigMap' | 'Secret',
  data: Readonly<Record<string, string>> | undefined,
  namespace: string,
  name: string,
  key: string,
  optional: boolean,
): string | undefined {
  if (data === undefined) {
    if (optional) return undefined;
    throw new ConfigError(`${kind.toLowerCase()} "${name}" not found`);
  }
  const v = data[key];
  if (v === undefined && !optional) throw new ConfigError(`couldn't find key ${key} in ${kind} ${namespace}/${name}`);
  return v;
}

/** The container's own variables in definition order (image ENV not included, as on a cluster). */
export function containerEnv(c: IContainer, namespace: string, src: EnvSources): Map<string, string> {
  const vars = new Map<string, string>();
  for (const from of c.envFrom ?? []) {
    const prefix = from.prefix ?? '';
    const cm = from.configMapRef;
    const sec = from.secretRef;
    const data = cm ? src.configMap(namespace, cm.name!) : sec ? src.secret(namespace, sec.name!) : undefined;
    if (data === undefined) {
      if ((cm ?? sec)?.optional) continue;
      throw new ConfigError(`${cm ? 'configmap' : 'secret'} "${(cm ?? sec)?.name}" not found`);
    }
    for (const [k, v] of Object.entries(data)) vars.set(prefix + k, v);
  }
  for (const e of c.env ?? []) {
    let value: string | undefined;
    if (e.valueFrom === undefined) {
      value = expand(e.value ?? '', vars);
    } else if (e.valueFrom.configMapKeyRef) {
      const r = e.valueFrom.configMapKeyRef;
      value = lookup('ConfigMap', src.configMap(namespace, r.name!), namespace, r.name!, r.key, r.optional ?? false);
    } else if (e.valueFrom.secretKeyRef) {
      const r = e.valueFrom.secretKeyRef;
      value = lookup('Secret', src.secret(namespace, r.name!), namespace, r.name!, r.key, r.optional ?? false);
    } else if (e.valueFrom.fieldRef) {
      value = src.field(e.valueFrom.fieldRef.fieldPath);
      if (value === undefined) throw new ConfigError(`env ${e.name}: fieldRef ${e.valueFrom.fieldRef.fieldPath} is not supported by the harness`);
    } else {
      throw new ConfigError(`env ${e.name}: this valueFrom is not supported by the harness`);
    }
    if (value !== undefined) vars.set(e.name, value);
  }
  return vars;
}

/** command + args with the image's ENTRYPOINT/CMD rules and `$(VAR)` expansion. */
export function commandLine(c: IContainer, image: { entrypoint: readonly string[]; cmd: readonly string[] }, vars: ReadonlyMap<string, string>): string[] {
  const x = (list: readonly string[]) => list.map((s) => expand(s, vars));
  if (c.command !== undefined) return [...x(c.command), ...x(c.args ?? [])];
  return [...image.entrypoint, ...(c.args !== undefined ? x(c.args) : image.cmd)];
}
