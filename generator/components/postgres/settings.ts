import type { EnvironmentSpec, Image } from '../../environment/types.js';
import type { ValidEnvironment } from '../../environment/validate.js';
import { resolveImage, resolveResources } from '../settings.js';

/** Major version from a tag like `17.6`, `18-alpine`, `16.4-bookworm`; undefined for `latest` or digests. */
export function postgresMajor(image: Image): number | undefined {
  const m = /^(\d+)/.exec(image.tag ?? '');
  return m ? Number(m[1]) : undefined;
}

/**
 * Postgres 18 images moved PGDATA to /var/lib/postgresql/<major>/docker and
 * declare the volume at /var/lib/postgresql; older ones use
 * /var/lib/postgresql/data. PGDATA is a subdirectory so the volume's
 * lost+found never makes initdb refuse a non-empty directory.
 */
function postgresPaths(image: Image): { dataMountPath: string; pgdata: string } {
  const major = postgresMajor(image);
  if (major !== undefined && major >= 18) return { dataMountPath: '/var/lib/postgresql', pgdata: `/var/lib/postgresql/${major}/docker` };
  return { dataMountPath: '/var/lib/postgresql/data', pgdata: '/var/lib/postgresql/data/pgdata' };
}

/**
 * The `postgres` settings, resolved. `postgres.majorUpgrade` is applied
 * later, by environment/spec.ts, next to the rules that guard it.
 */
export function resolvePostgresSettings(env: ValidEnvironment): EnvironmentSpec['postgres'] {
  const pg = env.value.postgres;
  const embedded =
    pg.mode === 'embedded'
      ? (() => {
          const image = resolveImage(pg.image!);
          return {
            name: pg.name!,
            namespace: pg.namespace!,
            image,
            ...postgresPaths(image),
            storage: pg.storage!,
            resources: resolveResources(pg.resources),
            runAsUser: pg.runAsUser ?? 999,
            credentialsSecret: `${pg.name!}-credentials`,
            initConfigMap: `${pg.name!}-init`,
          };
        })()
      : undefined;
  return {
    mode: pg.mode,
    host: embedded ? `${embedded.name}.${embedded.namespace}.svc.cluster.local` : pg.host!,
    port: pg.port,
    database: pg.database,
    authDatabase: pg.authDatabase,
    user: pg.user,
    sslMode: pg.sslMode,
    embedded,
  };
}
