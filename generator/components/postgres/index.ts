import type { Component } from '../component.js';
import { addEmbeddedPostgres } from './statefulset.js';

/**
 * MLflow's PostgreSQL: rendered (a StatefulSet, usually in the cluster's
 * shared `pgsql` namespace) in mode embedded; in mode external only its
 * settings and password exist here, the server is managed elsewhere.
 */
export const postgres: Component<'postgres'> = {
  id: 'postgres',
  settings: ['postgres'],
  enabled: (spec) => spec.postgres.embedded !== undefined,
  render: (scope, spec) => addEmbeddedPostgres(scope, spec, spec.postgres.embedded!),
  secrets: (spec) => {
    const pg = spec.postgres.embedded!;
    return [
      {
        namespace: pg.namespace,
        name: pg.credentialsSecret,
        app: { name: 'postgresql', instance: pg.name },
        entries: [{ key: 'POSTGRES_PASSWORD', credential: 'postgresPassword' }],
      },
    ];
  },
  credentials: () => ['postgresPassword'],
  credentialServer: (spec, id) => {
    if (id !== 'postgresPassword') return undefined;
    const pg = spec.postgres.embedded;
    if (!pg) return { external: true, what: `the external PostgreSQL at ${spec.postgres.host}`, field: 'postgres.host' };
    return {
      external: false,
      kind: 'StatefulSet',
      namespace: pg.namespace,
      name: pg.name,
      secretName: pg.credentialsSecret,
      what: `PostgreSQL ${pg.namespace}/${pg.name} (initdb keeps the first password)`,
    };
  },
  images: (spec) => [spec.postgres.embedded!.image.ref],
  sharedNamespaces: (spec) => [spec.postgres.embedded!.namespace],
  kinds: [
    { group: '', kind: 'Service' }, // headless (pod DNS) and client Services
    { group: 'apps', kind: 'StatefulSet' },
  ],
};
