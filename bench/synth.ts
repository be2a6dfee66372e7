/**
 * Synthetic fleets for the benchmark: tenant × stage environment files that
 * pass every validation rule, varied the way real fleets are (embedded and
 * external PostgreSQL/MinIO, sizes, secret providers, several clusters).
 *
 * Deterministic: environment i is the same file in every fleet, so the
 * fleet of 10 is the first 10 files of the fleet of 1,000.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const STAGES = ['dev', 'train', 'preprod', 'prod', 'explore'] as const;

const WORDS = [
  'acme',
  'fraud',
  'risk',
  'search',
  'ads',
  'churn',
  'pricing',
  'vision',
  'speech',
  'recsys',
  'ledger',
  'claims',
  'supply',
  'demand',
  'health',
  'geo',
  'nlp',
  'ranking',
  'growth',
  'retail',
  'credit',
  'payments',
  'logistics',
  'energy',
  'weather',
  'genomics',
  'media',
  'travel',
  'fleet',
  'ops',
  'insight',
  'forecast',
  'anomaly',
  'signals',
  'catalog',
  'identity',
  'trust',
  'support',
  'sales',
  'finance',
];

/** Clusters the fleet is spread over: NodePorts (30000–32767) are unique per cluster only. */
export const CLUSTERS = ['eu-west', 'eu-central', 'us-east', 'ap-south'] as const;

export interface SynthEnv {
  name: string;
  tenant: string;
  stage: (typeof STAGES)[number];
  cluster: string;
  text: string;
}

function tenantName(t: number): string {
  const w = WORDS[t % WORDS.length]!;
  const round = Math.floor(t / WORDS.length);
  return round === 0 ? w : `${w}${round + 1}`;
}

const SIZES = [
  { replicas: 1, cpu: ['100m', '500m'], mem: ['256Mi', '1Gi'], pg: '5Gi', s3: '10Gi' },
  { replicas: 2, cpu: ['250m', '1'], mem: ['512Mi', '2Gi'], pg: '20Gi', s3: '50Gi' },
  { replicas: 3, cpu: ['500m', '2'], mem: ['1Gi', '4Gi'], pg: '100Gi', s3: '500Gi' },
] as const;

const PG_TAGS = ['16.10', '17.6', '18.0'];

/** The environment files of a fleet of n, in order (tenant-major, so stages of one tenant sit together). */
export function synthFleet(n: number): SynthEnv[] {
  const out: SynthEnv[] = [];
  const nextPort = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const t = Math.floor(i / STAGES.length);
    const stage = STAGES[i % STAGES.length]!;
    const tenant = tenantName(t);
    const name = `${tenant}-${stage}`;
    const cluster = CLUSTERS[t % CLUSTERS.length]!;
    const port = nextPort.get(cluster) ?? 30000;
    nextPort.set(cluster, port + 1);
    if (port > 32767) throw new Error(`cluster ${cluster} ran out of NodePorts; add clusters`);
    const production = stage === 'prod';
    const size = SIZES[production ? 2 : stage === 'preprod' || stage === 'train' ? 1 : 0]!;
    // Variety keyed on the index so every combination appears in any fleet of ≥ 10.
    const pgExternal = production ? t % 2 === 0 : i % 7 === 3;
    const s3External = production ? t % 3 === 0 : i % 5 === 2;
    const plain = !production && i % 3 !== 0;
    const sharedDataNs = t % 2 === 0; // the seed's layout: every database in `pgsql`; otherwise one namespace per tenant
    const dataNs = sharedDataNs ? 'pgsql' : `data-${tenant}`;
    const db = `${tenant}_${stage}`.replace(/-/g, '_');
    const lines = [
      `# synthetic: tenant ${tenant}, stage ${stage}, cluster ${cluster}`,
      `name: ${name}`,
      ...(production ? ['production: true'] : []),
      `namespace: mlflow-${name}`,
      'cluster:',
      `  name: ${cluster}`,
      `  server: https://k8s-${cluster}.example.com:6443`,
      'argocd:',
      `  sync: ${production ? 'manual' : 'automated'}`,
      ...(plain ? ['allowPlaintextSecrets: true', 'secrets:', '  provider: plain'] : []),
      'mlflow:',
      `  nodePort: ${port}`,
      `  replicas: ${size.replicas}`,
      ...(i % 4 === 1 ? ['  workers: 4'] : []),
      '  resources:',
      `    requests: { cpu: ${size.cpu[0]}, memory: ${size.mem[0]} }`,
      `    limits: { cpu: "${size.cpu[1]}", memory: ${size.mem[1]} }`,
      ...(i % 6 === 0 ? ['  allowedHosts:', `    - mlflow-${name}.example.com`] : []),
      ...(production ? ['  auth:', '    defaultPermission: NO_PERMISSIONS'] : []),
      'postgres:',
      ...(pgExternal
        ? ['  mode: external', `  host: pg-${tenant}.db.example.internal`, '  port: 5432', '  sslMode: require']
        : [
            `  name: ${name}-postgres`,
            `  namespace: ${dataNs}`,
            `  port: ${5432 + (i % 3)}`,
            '  image:',
            '    repository: postgres',
            `    tag: "${PG_TAGS[i % PG_TAGS.length]!}"`,
            '  storage:',
            `    size: ${size.pg}`,
            ...(i % 2 === 0 ? ['    storageClassName: fast-ssd'] : []),
          ]),
      `  database: ${db}`,
      `  authDatabase: ${db}_auth`,
      '  user: mlflow',
      'minio:',
      ...(s3External
        ? ['  mode: external', '  endpoint: https://s3.eu-west-1.example.com', `  bucket: mlflow-${name}`, '  region: eu-west-1']
        : [`  name: minio-${name}`, `  namespace: ${dataNs}`, `  bucket: mlflow-${stage}`, '  storage:', `    size: ${size.s3}`]),
      '',
    ];
    out.push({ name, tenant, stage, cluster, text: lines.join('\n') });
  }
  return out;
}

/**
 * Writes `<root>/environments/` with defaults.yaml (the shipped one, its
 * `stages` set to the first tenant's stages) and the fleet's files.
 */
export function writeFleet(root: string, fleet: SynthEnv[], shippedDefaults: string): void {
  const dir = join(root, 'environments');
  mkdirSync(dir, { recursive: true });
  const first = fleet.filter((e) => e.tenant === fleet[0]?.tenant).map((e) => e.name);
  const defaults = readFileSync(shippedDefaults, 'utf8').replace(/^stages:.*$/m, `stages: [${first.join(', ')}]`);
  if (!defaults.includes(`stages: [${first.join(', ')}]`)) throw new Error(`could not set stages in ${shippedDefaults}`);
  writeFileSync(join(dir, 'defaults.yaml'), defaults);
  for (const e of fleet) writeFileSync(join(dir, `${e.name}.yaml`), e.text);
}
