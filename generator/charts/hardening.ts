import { ApiObject, JsonPatch, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import type { Resources } from '../environment/types.js';

/**
 * Pod Security "restricted" for every container: numeric non-root user, no
 * privilege escalation, no capabilities, RuntimeDefault seccomp, read-only
 * root file system (writable paths are explicit emptyDirs).
 */
export function restrictedContainer(user: number): kplus.ContainerSecurityContextProps {
  return {
    ensureNonRoot: true,
    user,
    group: user,
    privileged: false,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: [kplus.Capability.ALL] },
    seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT },
  };
}

export function restrictedPod(user: number): kplus.PodSecurityContextProps {
  return { ensureNonRoot: true, user, group: user, fsGroup: user, fsGroupChangePolicy: kplus.FsGroupChangePolicy.ON_ROOT_MISMATCH };
}

export function containerResources(r: Resources): kplus.ContainerResources {
  return {
    cpu: { request: cpu(r.requests.cpu), limit: cpu(r.limits.cpu) },
    memory: { request: memorySize(r.requests.memory), limit: memorySize(r.limits.memory) },
  };
}

/** Millicores render as `250m`, whole cores as `1`, like people write them. */
function cpu(v: string): kplus.Cpu {
  if (v.endsWith('m')) return kplus.Cpu.millis(Number(v.slice(0, -1)));
  const n = Number(v);
  return Number.isInteger(n) ? kplus.Cpu.units(n) : kplus.Cpu.millis(Math.round(n * 1000));
}

function memorySize(mem: string): Size {
  const n = Number(mem.slice(0, -2));
  switch (mem.slice(-2)) {
    case 'Ki':
      return Size.kibibytes(n);
    case 'Mi':
      return Size.mebibytes(n);
    case 'Gi':
      return Size.gibibytes(n);
    default:
      return Size.tebibytes(n);
  }
}

/**
 * cdk8s-plus adds a `cdk8s.io/metadata.addr` label to pod templates for its
 * own selectors. We select on the recommended labels instead, so drop it: a
 * label derived from the construct path would change with refactoring.
 */
export function dropAddrLabel(workload: kplus.Workload): void {
  ApiObject.of(workload).addJsonPatch(JsonPatch.remove('/spec/template/metadata/labels/cdk8s.io~1metadata.addr'));
}

/** Pod-level seccomp (plus sets it per container only). */
export function podSeccomp(workload: kplus.Workload): void {
  ApiObject.of(workload).addJsonPatch(JsonPatch.add('/spec/template/spec/securityContext/seccompProfile', { type: 'RuntimeDefault' }));
}

/** A StatefulSet's governing Service gets plus's label in its selector too. */
export function dropAddrSelector(service: kplus.Service): void {
  ApiObject.of(service).addJsonPatch(JsonPatch.remove('/spec/selector/cdk8s.io~1metadata.addr'));
}
