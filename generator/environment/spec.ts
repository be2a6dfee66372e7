import { upgradedStatefulSet } from './postgres-upgrade.js';
import { resolveEnvironment } from './resolve.js';
import type { EnvironmentSpec } from './types.js';
import type { ValidEnvironment } from './validate.js';

/**
 * The fully resolved environment every render path uses: resolveEnvironment
 * plus the volume an embedded PostgreSQL keeps its data on. Resolved here,
 * next to the rules that guard it (postgres-upgrade.ts), and through one
 * function so that the rendered StatefulSet and the render-cache key (a hash
 * of this spec) always agree: an environment that adds or drops
 * `postgres.majorUpgrade` is never taken from the cache.
 */
export function environmentSpec(env: ValidEnvironment): EnvironmentSpec {
  const spec = resolveEnvironment(env);
  const pg = spec.postgres.embedded;
  const upgrade = env.value.postgres.majorUpgrade;
  const statefulSet = pg && upgradedStatefulSet(pg.name, pg.image.tag, upgrade);
  // A waiting majorUpgrade (the image not above `from` yet) changes nothing, not even the cache key.
  if (!pg || !upgrade || !statefulSet) return spec;
  return { ...spec, postgres: { ...spec.postgres, embedded: { ...pg, statefulSet, majorUpgrade: { from: upgrade.from, procedure: upgrade.procedure } } } };
}
