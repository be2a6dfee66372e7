/**
 * Pod volumes as the kubelet materialises them: emptyDir (fresh per pod),
 * ConfigMap and Secret volumes (files with `items`, modes, fsGroup ownership;
 * always read-only), PersistentVolumeClaims (folders that outlive pods).
 */
import { chmodSync, chownSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import type { IVolume } from 'kubernetes-models/v1/Volume';

/** A failure the kubelet reports as FailedMount: the pod never starts. */
export class MountError extends Error {}

export interface VolumeSources {
  configMap(namespace: string, name: string): Readonly<Record<string, string>> | undefined;
  secret(namespace: string, name: string): Readonly<Record<string, string>> | undefined;
  claim(namespace: string, name: string): string | undefined;
}

export interface Materialised {
  readonly path: string;
  /** ConfigMap and Secret volumes are mounted read-only whatever the mount says. */
  readonly readOnly: boolean;
}

function projectKeys(
  what: string,
  dir: string,
  data: Readonly<Record<string, string>>,
  items: readonly { key: string; path: string; mode?: number }[] | undefined,
  defaultMode: number,
  fsGroup: number | undefined,
): void {
  const entries =
    items ??
    Object.keys(data)
      .sort()
      .map((key) => ({ key, path: key, mode: undefined }));
  for (const item of entries) {
    const value = data[item.key];
    if (value === undefined) throw new MountError(`${what}: key ${item.key} not found`);
    const rel = normalize(item.path);
    if (rel.startsWith('..') || rel.startsWith('/')) throw new MountError(`${what}: item path ${item.path} leaves the volume`);
    const file = join(dir, rel);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, value);
    chmodSync(file, item.mode ?? defaultMode);
    if (fsGroup !== undefined) chownSync(file, 0, fsGroup);
  }
}

/**
 * Create the volume's folder under `podDir` and return where it is.
 * `fsGroup` makes the kubelet give the volume to that group (setgid, group-writable).
 */
export function materialise(v: IVolume, namespace: string, podDir: string, src: VolumeSources, fsGroup: number | undefined): Materialised {
  const dir = join(podDir, 'volumes', v.name);
  if (v.emptyDir !== undefined) {
    mkdirSync(dir, { recursive: true });
    chmodSync(dir, 0o777);
    return { path: dir, readOnly: false };
  }
  if (v.configMap !== undefined || v.secret !== undefined) {
    const isCm = v.configMap !== undefined;
    const name = isCm ? v.configMap!.name! : v.secret!.secretName!;
    const optional = (isCm ? v.configMap!.optional : v.secret!.optional) ?? false;
    const data = isCm ? src.configMap(namespace, name) : src.secret(namespace, name);
    mkdirSync(dir, { recursive: true });
    chmodSync(dir, 0o755);
    if (data === undefined) {
      if (optional) return { path: dir, readOnly: true };
      throw new MountError(`MountVolume.SetUp failed for volume "${v.name}": ${isCm ? 'configmap' : 'secret'} "${name}" not found`);
    }
    const items = (isCm ? v.configMap!.items : v.secret!.items) as { key: string; path: string; mode?: number }[] | undefined;
    const mode = (isCm ? v.configMap!.defaultMode : v.secret!.defaultMode) ?? 0o644;
    projectKeys(`volume "${v.name}" (${isCm ? 'ConfigMap' : 'Secret'} ${name})`, dir, data, items, mode, fsGroup);
    return { path: dir, readOnly: true };
  }
  if (v.persistentVolumeClaim !== undefined) {
    const path = src.claim(namespace, v.persistentVolumeClaim.claimName);
    if (path === undefined) throw new MountError(`persistentvolumeclaim "${v.persistentVolumeClaim.claimName}" not found`);
    if (fsGroup !== undefined) {
      // fsGroupChangePolicy OnRootMismatch and Always agree on a volume's root.
      chownSync(path, 0, fsGroup);
      chmodSync(path, 0o2775);
    }
    return { path, readOnly: v.persistentVolumeClaim.readOnly ?? false };
  }
  const kind = Object.keys(v)
    .filter((k) => k !== 'name')
    .join(', ');
  throw new MountError(`volume "${v.name}": type ${kind} is not supported by the e2e harness`);
}
