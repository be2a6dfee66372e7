import type { Image, ImageFields, ResourceFields, Resources } from '../environment/types.js';

/**
 * Helpers every component's settings resolver uses. Here, not in
 * environment/resolve.ts (which re-exports resolveImage), because
 * resolve.ts imports the components' resolvers: the other way round would
 * be an import cycle.
 */

export function resolveImage(f: ImageFields): Image {
  const ref = `${f.repository}${f.tag ? `:${f.tag}` : ''}${f.digest ? `@${f.digest}` : ''}`;
  const version = f.tag ?? f.digest!.slice('sha256:'.length, 'sha256:'.length + 12);
  return { repository: f.repository, tag: f.tag, digest: f.digest, ref, version };
}

const DEFAULT_RESOURCES: ResourceFields = { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' } };
export function resolveResources(r: ResourceFields | undefined): Resources {
  const x = r ?? DEFAULT_RESOURCES;
  return {
    requests: { cpu: String(x.requests.cpu), memory: x.requests.memory },
    limits: { cpu: String(x.limits.cpu), memory: x.limits.memory },
  };
}
