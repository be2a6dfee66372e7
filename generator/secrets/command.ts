/**
 * `gen-gitops secrets --env <name>`: prints the Secrets an `existing`
 * environment needs, ready for `kubectl create -f -`. Printed, never written
 * into the config repo.
 */
import { stringify } from 'yaml';
import { MANAGED_BY } from '../charts/labels.js';
import type { EnvironmentSpec } from '../environment/types.js';
import { InputError, UsageError, type InputProblem } from '../errors.js';
import { CREDENTIAL_LABEL, credentialEnvVar, credentialServer, credentialSource, credentialsUsed, secretSpecs, type CredentialId } from './credentials.js';

export interface SecretsCommandInput {
  spec: EnvironmentSpec;
  /** Process environment with --secret-file values merged in. */
  environ: Record<string, string | undefined>;
  /** Test hook; defaults to generateCredential. */
  generate?: (id: CredentialId) => string;
}

/**
 * Multi-document YAML: one `v1/Secret` per Secret the environment's
 * workloads read, with `stringData`. Supplied values (GEN_GITOPS_<ENV>_*) are
 * used as given; the rest are generated once and shared by every Secret that
 * carries them (PostgreSQL's password in MLflow's Secret and PostgreSQL's own).
 */
export function secretsCommand(input: SecretsCommandInput): string {
  const { spec, environ } = input;
  if (spec.secrets.provider !== 'existing') {
    throw new UsageError(
      `environment '${spec.name}' uses the ${spec.secrets.provider} provider: its Secrets ${
        spec.secrets.provider === 'plain'
          ? 'are rendered into the config repo'
          : spec.secrets.provider === 'sealed-secrets'
            ? 'are sealed into the config repo by gen-gitops'
            : 'are built by the External Secrets Operator'
      }; gen-gitops secrets prints Secrets only for provider existing`,
    );
  }
  const specs = secretSpecs(spec);
  const credentials = credentialSource({ environ, generate: input.generate });

  // A value for a server gen-gitops does not run cannot be invented.
  const problems: InputProblem[] = [];
  for (const id of credentialsUsed(spec, specs)) {
    const server = credentialServer(spec, id);
    if (server?.external && !credentials.supplied(spec.name, id)) {
      const v = credentialEnvVar(spec.name, id);
      problems.push({
        field: v,
        message: `environment '${spec.name}': the ${CREDENTIAL_LABEL[id]} must be supplied: ${server.what} (${server.field}) has its own value`,
        hint: `export ${v}=… or --secret-file ${v}=<file>`,
      });
    }
  }
  if (problems.length > 0) throw new InputError(problems);

  const docs = specs.map((s) => {
    // No app.kubernetes.io/instance or managed-by: with label tracking ArgoCD would adopt
    // (and prune) a Secret carrying its Application's instance label.
    const labels = { 'app.kubernetes.io/name': s.app.name, 'app.kubernetes.io/component': 'credentials', 'app.kubernetes.io/part-of': spec.partOf };
    const stringData: Record<string, string> = {};
    for (const e of s.entries) stringData[e.key] = credentials.value(spec.name, e.credential);
    return stringify(
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: s.name, namespace: s.namespace, labels, annotations: { 'gen-gitops.dev/created-by': `${MANAGED_BY} secrets` } },
        type: 'Opaque',
        stringData,
      },
      { lineWidth: 0, indentSeq: true },
    );
  });
  const supplied = credentialsUsed(spec, specs).filter((id) => credentials.supplied(spec.name, id));
  const header = [
    `# Secrets for environment ${spec.name} (provider: existing), printed by gen-gitops secrets.`,
    '# Contains credentials: never commit it or paste it into a ticket.',
    `# Create them once, after the namespaces exist:  gen-gitops secrets --env ${spec.name} | kubectl create -f -`,
    '# (kubectl create refuses to replace an existing Secret; apply would change the password of a running database.)',
    supplied.length > 0
      ? `# Supplied: ${supplied.map((id) => credentialEnvVar(spec.name, id)).join(', ')}; every other value is random.`
      : `# Every value is random; supply your own with ${credentialEnvVar(spec.name, 'postgresPassword').replace(/POSTGRES_PASSWORD$/, '<CREDENTIAL>')}.`,
  ];
  return `${header.join('\n')}\n${docs.map((d) => `---\n${d}`).join('')}`;
}
