import type { Component } from '../component.js';
import { addMlflowConfigMap } from './config.js';
import { mlflowSecret } from './secret.js';
import { addMlflow } from './server.js';

/**
 * The MLflow tracking server: its ConfigMap (settings and the launcher), the
 * Deployment and NodePort Service, and the Sync-hook Jobs that migrate its
 * databases and create its bucket. Always rendered: it is what an
 * environment is for.
 */
export const mlflow: Component<'mlflow'> = {
  id: 'mlflow',
  settings: ['mlflow'],
  enabled: () => true,
  renderConfig: (scope, spec) => addMlflowConfigMap(scope, spec),
  render: (scope, spec, ctx) => {
    if (!ctx.config) throw new Error('the mlflow component renders after its ConfigMap (renderConfig)');
    addMlflow(scope, spec, ctx.config);
  },
  secrets: (spec) => [mlflowSecret(spec)],
  credentials: () => ['postgresPassword', 'minioRootUser', 'minioRootPassword', 'mlflowAdminPassword', 'flaskSecretKey'],
  credentialServer: (spec, id) =>
    id === 'mlflowAdminPassword'
      ? {
          external: false,
          kind: 'Deployment',
          namespace: spec.namespace,
          name: spec.mlflow.name,
          secretName: spec.secrets.secretName,
          what: `MLflow ${spec.namespace}/${spec.mlflow.name} (its auth database keeps the admin password set at first start)`,
        }
      : // The Flask secret key: nothing keeps it, regenerating only resets sessions.
        undefined,
  images: (spec) => [spec.mlflow.image.ref],
  sharedNamespaces: () => [],
  kinds: [
    { group: '', kind: 'ConfigMap' }, // settings and the launcher
    { group: '', kind: 'Service' }, // NodePort
    { group: 'apps', kind: 'Deployment' }, // the server
    { group: 'batch', kind: 'Job' }, // `mlflow db upgrade` hook (+ the bucket job on an embedded object store)
  ],
};
