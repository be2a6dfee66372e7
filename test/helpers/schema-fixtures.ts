/** Valid Kubernetes/CRD objects shared by the schema-check tests (test/schema-check*.test.ts). */
export type Obj = Record<string, unknown>;

// ---------------------------------------------------------------------------
// Valid fixtures (shaped like cdk8s toJson() output)
// ---------------------------------------------------------------------------

export const labels = { 'app.kubernetes.io/name': 'mlflow', 'app.kubernetes.io/instance': 'dev-1' };

export const podSpec = {
  containers: [
    {
      name: 'mlflow',
      image: 'ghcr.io/mlflow/mlflow:v2.14.1',
      ports: [{ name: 'http', containerPort: 5000, protocol: 'TCP' }],
      env: [{ name: 'MLFLOW_PORT', value: '5000' }],
      resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '1Gi' } },
      readinessProbe: { httpGet: { path: '/health', port: 'http' }, periodSeconds: 10 },
      livenessProbe: { tcpSocket: { port: 5000 } },
    },
  ],
  securityContext: { runAsNonRoot: true, fsGroup: 1000 },
};

export function deployment(): Obj {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'mlflow', namespace: 'dev-1', labels },
    spec: {
      replicas: 2,
      selector: { matchLabels: labels },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } },
      template: { metadata: { labels }, spec: podSpec },
    },
  };
}

export function service(): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'mlflow', namespace: 'dev-1' },
    spec: {
      type: 'ClusterIP',
      selector: labels,
      ports: [
        { name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' },
        { name: 'alt', port: 8080, targetPort: 5000 },
      ],
    },
  };
}

export function configMap(): Obj {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'mlflow-config', namespace: 'dev-1' },
    data: { MLFLOW_S3_ENDPOINT_URL: 'http://minio:9000' },
  };
}

export function secret(): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'db-creds', namespace: 'dev-1' },
    type: 'Opaque',
    stringData: { username: 'mlflow' },
    data: { password: 'c2VjcmV0' },
  };
}

export function namespace(): Obj {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'dev-1', labels } };
}

export function statefulSet(): Obj {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'postgres', namespace: 'dev-1' },
    spec: {
      serviceName: 'postgres',
      replicas: 1,
      selector: { matchLabels: { app: 'postgres' } },
      template: {
        metadata: { labels: { app: 'postgres' } },
        spec: {
          containers: [
            {
              name: 'postgres',
              image: 'postgres:16',
              ports: [{ containerPort: 5432 }],
              volumeMounts: [{ name: 'data', mountPath: '/var/lib/postgresql/data' }],
            },
          ],
        },
      },
      volumeClaimTemplates: [
        {
          metadata: { name: 'data' },
          spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } },
        },
      ],
    },
  };
}

export function job(): Obj {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'db-migrate', namespace: 'dev-1', annotations: { 'argocd.argoproj.io/hook': 'PreSync' } },
    spec: {
      backoffLimit: 3,
      ttlSecondsAfterFinished: 600,
      template: {
        spec: {
          restartPolicy: 'Never',
          containers: [{ name: 'migrate', image: 'ghcr.io/mlflow/mlflow:v2.14.1', command: ['mlflow', 'db', 'upgrade'] }],
        },
      },
    },
  };
}

export function pvc(): Obj {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: 'minio-data', namespace: 'dev-1' },
    spec: {
      accessModes: ['ReadWriteOnce'],
      storageClassName: 'standard',
      resources: { requests: { storage: '20Gi' } },
    },
  };
}

export function pdb(): Obj {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: 'mlflow', namespace: 'dev-1' },
    spec: { minAvailable: '50%', selector: { matchLabels: labels } },
  };
}

export function appProject(): Obj {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AppProject',
    metadata: { name: 'mlops', namespace: 'argocd' },
    spec: {
      description: 'MLflow environments',
      sourceRepos: ['https://github.com/example/gitops.git'],
      destinations: [{ server: 'https://kubernetes.default.svc', namespace: '*' }],
      clusterResourceWhitelist: [{ group: '', kind: 'Namespace' }],
    },
  };
}

export function applicationSet(): Obj {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'ApplicationSet',
    metadata: { name: 'mlflow-envs', namespace: 'argocd' },
    spec: {
      goTemplate: true,
      goTemplateOptions: ['missingkey=error'],
      generators: [
        {
          git: {
            repoURL: 'https://github.com/example/gitops.git',
            revision: 'HEAD',
            files: [{ path: 'environments/*/config.json' }],
          },
        },
      ],
      template: {
        metadata: { name: 'mlflow-{{.env}}' },
        spec: {
          project: 'mlops',
          source: {
            repoURL: 'https://github.com/example/gitops.git',
            targetRevision: 'HEAD',
            path: 'environments/{{.env}}',
          },
          destination: { server: 'https://kubernetes.default.svc', namespace: '{{.env}}' },
          syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ['CreateNamespace=true'] },
        },
      },
    },
  };
}

export function sealedSecret(): Obj {
  return {
    apiVersion: 'bitnami.com/v1alpha1',
    kind: 'SealedSecret',
    metadata: { name: 'minio-creds', namespace: 'dev-1' },
    spec: {
      encryptedData: { rootPassword: 'AgBy3i4OJSWK+PiTySYZZA9rO43cGDEq' },
      template: { metadata: { name: 'minio-creds', namespace: 'dev-1' }, type: 'Opaque' },
    },
  };
}

export function externalSecret(): Obj {
  return {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata: { name: 'db-creds', namespace: 'dev-1' },
    spec: {
      refreshInterval: '1h',
      secretStoreRef: { kind: 'ClusterSecretStore', name: 'vault' },
      target: { name: 'db-creds', creationPolicy: 'Owner' },
      data: [{ secretKey: 'username', remoteRef: { key: 'mlops/dev-1/db', property: 'username' } }],
      dataFrom: [
        {
          sourceRef: {
            generatorRef: {
              apiVersion: 'generators.external-secrets.io/v1alpha1',
              kind: 'Password',
              name: 'db-password',
            },
          },
        },
      ],
    },
  };
}

export function password(): Obj {
  return {
    apiVersion: 'generators.external-secrets.io/v1alpha1',
    kind: 'Password',
    metadata: { name: 'db-password', namespace: 'dev-1' },
    spec: { length: 32, digits: 6, symbols: 0, noUpper: false, allowRepeat: true },
  };
}

export const VALID: Record<string, () => Obj> = {
  Deployment: deployment,
  Service: service,
  ConfigMap: configMap,
  Secret: secret,
  Namespace: namespace,
  StatefulSet: statefulSet,
  Job: job,
  PersistentVolumeClaim: pvc,
  PodDisruptionBudget: pdb,
  AppProject: appProject,
  ApplicationSet: applicationSet,
  SealedSecret: sealedSecret,
  ExternalSecret: externalSecret,
  Password: password,
};

/** Deep clone then mutate, so fixtures stay pristine. */
export function variant(make: () => Obj, mutate: (o: any) => void): Obj {
  const o = structuredClone(make());
  mutate(o);
  return o;
}
