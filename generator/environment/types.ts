/** The environment file as the schema admits it (after defaults are merged). */
export interface ImageFields {
  repository: string;
  tag?: string;
  digest?: string;
}
export interface ResourceFields {
  requests: { cpu: string | number; memory: string };
  limits: { cpu: string | number; memory: string };
}
export interface StorageFields {
  size: string;
  storageClassName?: string;
}
/**
 * `postgres.majorUpgrade`: the operator's statement that an embedded
 * PostgreSQL leaves major `from` for the image's major, and how its data
 * gets there. `new-volume`: a new StatefulSet on a new volume claim, the
 * old volume kept untouched, the data restored from a dump.
 */
export interface MajorUpgradeFields {
  from: number;
  procedure: 'new-volume';
}
export type SecretProviderName = 'existing' | 'plain' | 'sealed-secrets' | 'external-secrets';
export type SealingScope = 'strict' | 'namespace-wide' | 'cluster-wide';

export interface EnvironmentFile {
  name: string;
  production?: boolean;
  namespace: string;
  cluster: { name: string; server: string };
  argocd: { sync: 'automated' | 'manual' };
  allowPlaintextSecrets?: boolean;
  secrets: {
    provider: SecretProviderName;
    rotation?: number;
    sealedSecrets?: { certificate: string; scope?: SealingScope };
    externalSecrets?: {
      storeRef: { name: string; kind?: 'SecretStore' | 'ClusterSecretStore' };
      remoteKeyPrefix?: string;
      refreshInterval?: string;
      generatePasswords?: boolean;
    };
  };
  mlflow: {
    image: ImageFields;
    replicas: number;
    nodePort: number;
    workers?: number;
    runAsUser?: number;
    resources?: ResourceFields;
    allowedHosts?: string[];
    auth?: { adminUser?: string; defaultPermission?: 'READ' | 'EDIT' | 'MANAGE' | 'NO_PERMISSIONS' };
  };
  postgres: {
    mode: 'embedded' | 'external';
    name?: string;
    namespace?: string;
    host?: string;
    port: number;
    database: string;
    authDatabase: string;
    user: string;
    sslMode?: string;
    image?: ImageFields;
    storage?: StorageFields;
    resources?: ResourceFields;
    runAsUser?: number;
    majorUpgrade?: MajorUpgradeFields;
  };
  minio: {
    mode: 'embedded' | 'external';
    name?: string;
    namespace?: string;
    port?: number;
    endpoint?: string;
    bucket: string;
    region?: string;
    image?: ImageFields;
    clientImage?: ImageFields;
    storage?: StorageFields;
    resources?: ResourceFields;
    runAsUser?: number;
  };
}

/** A container image, resolved to the reference Kubernetes pulls. */
export interface Image {
  repository: string;
  tag?: string;
  digest?: string;
  /** `repo:tag`, `repo@digest` or `repo:tag@digest`. */
  ref: string;
  /** What `app.kubernetes.io/version` shows: the tag, else the short digest. */
  version: string;
}

export interface Resources {
  requests: { cpu: string; memory: string };
  limits: { cpu: string; memory: string };
}

export interface EmbeddedPostgres {
  name: string;
  namespace: string;
  image: Image;
  /** PostgreSQL ≥ 18 images keep data under /var/lib/postgresql/<major>/docker. */
  dataMountPath: string;
  pgdata: string;
  /**
   * The StatefulSet holding the data (its claim is `data-<statefulSet>-0`) and
   * the pods' `app.kubernetes.io/instance`; absent: `name`. Set from
   * `postgres.majorUpgrade` by environment/spec.ts.
   */
  statefulSet?: string;
  majorUpgrade?: MajorUpgradeFields;
  storage: StorageFields;
  resources: Resources;
  runAsUser: number;
  credentialsSecret: string;
  initConfigMap: string;
}

export interface EmbeddedMinio {
  name: string;
  namespace: string;
  image: Image;
  storage: StorageFields;
  resources: Resources;
  runAsUser: number;
  credentialsSecret: string;
}

/** Everything a chart needs, fully defaulted: charts never invent values. */
export interface EnvironmentSpec {
  name: string;
  production: boolean;
  namespace: string;
  cluster: { name: string; server: string };
  sync: 'automated' | 'manual';
  allowPlaintextSecrets: boolean;
  /** `app.kubernetes.io/part-of` on every object. */
  partOf: string;
  configMapName: string;
  secrets: {
    provider: SecretProviderName;
    /** The Secret MLflow reads, in its own namespace. */
    secretName: string;
    /** Raised by the operator when credentials change: rolls every pod that reads them. */
    rotation: number;
    sealed?: { certificate: string; scope: SealingScope };
    external?: {
      storeRef: { name: string; kind: 'SecretStore' | 'ClusterSecretStore' };
      remoteKeyPrefix: string;
      refreshInterval: string;
      generatePasswords: boolean;
    };
  };
  mlflow: {
    name: string;
    image: Image;
    replicas: number;
    nodePort: number;
    port: number;
    workers: number;
    runAsUser: number;
    resources: Resources;
    allowedHosts: string[];
    /** MLFLOW_SERVER_CORS_ALLOWED_ORIGINS: the allowed hosts as origins. */
    corsAllowedOrigins: string[];
    auth: { adminUser: string; defaultPermission: string };
  };
  postgres: {
    mode: 'embedded' | 'external';
    host: string;
    port: number;
    database: string;
    authDatabase: string;
    user: string;
    sslMode?: string;
    embedded?: EmbeddedPostgres;
  };
  minio: {
    mode: 'embedded' | 'external';
    endpoint: string;
    bucket: string;
    region: string;
    embedded?: EmbeddedMinio & { port: number };
  };
}
