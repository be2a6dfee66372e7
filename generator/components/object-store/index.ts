import type { Component } from '../component.js';
import { addEmbeddedMinio } from './minio.js';

/**
 * The S3 object store MLflow keeps artifacts in (settings key `minio`):
 * an embedded single-node MinIO, or any external S3 endpoint, which only
 * has settings and credentials here.
 */
export const objectStore: Component<'object-store'> = {
  id: 'object-store',
  settings: ['minio'],
  enabled: (spec) => spec.minio.embedded !== undefined,
  render: (scope, spec) => addEmbeddedMinio(scope, spec, spec.minio.embedded!),
  secrets: (spec) => {
    const m = spec.minio.embedded!;
    return [
      {
        namespace: m.namespace,
        name: m.credentialsSecret,
        app: { name: 'minio', instance: m.name },
        entries: [
          { key: 'MINIO_ROOT_USER', credential: 'minioRootUser' },
          { key: 'MINIO_ROOT_PASSWORD', credential: 'minioRootPassword' },
        ],
      },
    ];
  },
  credentials: () => ['minioRootUser', 'minioRootPassword'],
  credentialServer: (spec, id) => {
    if (id !== 'minioRootUser' && id !== 'minioRootPassword') return undefined;
    const m = spec.minio.embedded;
    if (!m) return { external: true, what: `the external S3 endpoint ${spec.minio.endpoint}`, field: 'minio.endpoint' };
    return { external: false, kind: 'StatefulSet', namespace: m.namespace, name: m.name, secretName: m.credentialsSecret, what: `MinIO ${m.namespace}/${m.name}` };
  },
  images: (spec) => [spec.minio.embedded!.image.ref],
  sharedNamespaces: (spec) => [spec.minio.embedded!.namespace],
  kinds: [
    { group: '', kind: 'Service' }, // headless (pod DNS) and client Services (API and console)
    { group: 'apps', kind: 'StatefulSet' },
  ],
};
