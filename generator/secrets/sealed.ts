/**
 * `sealed-secrets` provider: one SealedSecret (bitnami.com/v1alpha1) per
 * Secret, every value encrypted for the cluster's Sealed Secrets controller
 * (sealing.ts, byte-compatible with kubeseal).
 *
 * No churn. Sealing is randomised, so a re-render keeps every committed
 * ciphertext byte for byte unless that credential must be sealed again:
 *   - a value was supplied for it in this run (environment / --secret-file);
 *   - --reseal was given;
 *   - the certificate changed (recorded in CERT_ANNOTATION) or the scope changed;
 *   - one of the Secrets carrying it has no ciphertext for it yet.
 * Decisions are made per credential across all Secrets of the environment,
 * so values that must agree (PostgreSQL's password in MLflow's Secret and in
 * PostgreSQL's own) are always either all kept or all sealed from one value.
 *
 * Sealing again needs the plaintext, which gen-gitops never stores. When it
 * is unknown, a fresh value is generated only where nothing can hold the old
 * one: the first render, a newly embedded database (neither its credentials
 * nor its StatefulSet were committed before), or the Flask secret key.
 * Otherwise the render stops with a message naming the variable to supply.
 */
import { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';
import type { SealingScope } from '../environment/types.js';
import { InputError, type InputProblem } from '../errors.js';
import { SourceLayout } from '../repo/layout.js';
import { CREDENTIAL_LABEL, carriersOf, credentialEnvVar, credentialServer, credentialsUsed, secretSpecs, type CredentialId, type SecretSpec } from './credentials.js';
import type { SecretProvider, SecretRenderContext } from './provider.js';
import { CLUSTER_WIDE_ANNOTATION, NAMESPACE_WIDE_ANNOTATION, SealingCertError, loadSealingCertificate, scopeAnnotations, sealValue, type SealingCert } from './sealing.js';
import { InputFileError, unreadableReason } from '../environment/input-file.js';

/** sha256 of the certificate (DER) the committed values were sealed with. */
export const CERT_ANNOTATION = 'gen-gitops.dev/sealing-cert-sha256';

const FETCH_HINT = 'fetch the controller certificate with `kubeseal --fetch-cert > certs/<env>.pem` (no cluster access? ask whoever runs the controller for it)';

/** The certificate for this environment: --sealed-secrets-cert, else secrets.sealedSecrets.certificate. */
export function sealingCertificateFor(ctx: Pick<SecretRenderContext, 'spec' | 'world'>): { cert: SealingCert; path: string } {
  const env = ctx.spec.name;
  const override = ctx.world.sealedSecretsCert;
  const path = override ?? ctx.spec.secrets.sealed?.certificate;
  const field = override !== undefined ? '--sealed-secrets-cert' : 'secrets.sealedSecrets.certificate';
  if (path === undefined || path === '') {
    throw new InputError([
      {
        field,
        message: `environment '${env}' uses the sealed-secrets provider but names no certificate`,
        hint: `${FETCH_HINT}, then set secrets.sealedSecrets.certificate in ${SourceLayout.envFile(env)} or pass --sealed-secrets-cert <file>`,
      },
    ]);
  }
  let pem: string;
  // A path from an environment file points at the setting; the option's path is the user's own.
  const location = override !== undefined ? undefined : ctx.world.locate?.(env, '/secrets/sealedSecrets/certificate');
  try {
    pem = ctx.world.readFile(path, { confined: override === undefined });
  } catch (e) {
    const why = unreadableReason(e);
    throw new InputError([
      {
        location,
        field,
        message: `environment '${env}': cannot read the Sealed Secrets certificate ${path}: ${why}`,
        hint: e instanceof InputFileError && e.hint ? `${e.hint}; ${FETCH_HINT}` : FETCH_HINT,
      },
    ]);
  }
  try {
    return { cert: loadSealingCertificate(pem, path, ctx.world.now), path };
  } catch (e) {
    if (e instanceof SealingCertError) throw new InputError([{ field, message: `environment '${env}': ${e.message}` }]);
    throw e;
  }
}

function scopeOf(ctx: Pick<SecretRenderContext, 'spec'>): SealingScope {
  return ctx.spec.secrets.sealed?.scope ?? 'strict';
}

/** What the config repo holds now for one SealedSecret. */
interface PreviousSealed {
  encrypted: Record<string, string>;
  fingerprint?: string;
  scope: SealingScope;
}

function previousSealed(ctx: SecretRenderContext, secret: SecretSpec): PreviousSealed | undefined {
  const o = ctx.world.previous('SealedSecret', secret.namespace, secret.name) as
    { metadata?: { annotations?: Record<string, unknown> }; spec?: { encryptedData?: Record<string, unknown> } } | undefined;
  if (!o) return undefined;
  const ann = o.metadata?.annotations ?? {};
  const scope: SealingScope = ann[CLUSTER_WIDE_ANNOTATION] === 'true' ? 'cluster-wide' : ann[NAMESPACE_WIDE_ANNOTATION] === 'true' ? 'namespace-wide' : 'strict';
  const encrypted: Record<string, string> = {};
  for (const [k, v] of Object.entries(o.spec?.encryptedData ?? {})) if (typeof v === 'string' && v !== '') encrypted[k] = v;
  const fp = ann[CERT_ANNOTATION];
  return { encrypted, fingerprint: typeof fp === 'string' ? fp : undefined, scope };
}

/** Per credential: keep every committed ciphertext, or seal this value everywhere. */
export type SealDecision = { keep: true } | { keep: false; value: string };

const short = (fp: string) => `sha256:${fp.slice(0, 16)}…`;

/**
 * Decides, for every credential of the environment, whether its committed
 * ciphertexts stay or which value is sealed. Throws one InputError listing
 * every credential that needs a value only the user can give.
 */
export function planSealing(ctx: SecretRenderContext, cert: SealingCert): Map<CredentialId, SealDecision> {
  const spec = ctx.spec;
  const env = spec.name;
  const scope = scopeOf(ctx);
  const specs = secretSpecs(spec);
  const previous = new Map(specs.map((s) => [`${s.namespace}/${s.name}`, previousSealed(ctx, s)]));
  const plan = new Map<CredentialId, SealDecision>();
  const problems: InputProblem[] = [];

  for (const id of credentialsUsed(spec, specs)) {
    const carriers = carriersOf(spec, id, specs).map((c) => {
      const prev = previous.get(`${c.secret.namespace}/${c.secret.name}`);
      const cipher = prev?.encrypted[c.key];
      const why =
        cipher === undefined
          ? `${c.secret.namespace}/${c.secret.name} has no sealed ${c.key} yet`
          : prev!.fingerprint === undefined
            ? `${c.secret.namespace}/${c.secret.name} was not sealed by gen-gitops (no ${CERT_ANNOTATION} annotation), so its certificate is unknown`
            : prev!.fingerprint !== cert.fingerprint
              ? `the sealing certificate changed (the committed values were sealed for ${short(prev!.fingerprint)}, the certificate now is ${short(cert.fingerprint)})`
              : prev!.scope !== scope
                ? `the sealing scope changed (${c.secret.namespace}/${c.secret.name} was sealed ${prev!.scope}, now ${scope})`
                : undefined;
      return { ...c, present: cipher !== undefined, why };
    });

    if (ctx.credentials.supplied?.(env, id)) {
      plan.set(id, { keep: false, value: ctx.credentials.value(env, id) });
      continue;
    }
    const keepable = carriers.every((c) => c.why === undefined);
    if (keepable && !ctx.world.reseal) {
      plan.set(id, { keep: true });
      continue;
    }
    // Sealing again: only with a value we know or may invent.
    const known = ctx.credentials.known?.(env, id);
    if (known !== undefined) {
      plan.set(id, { keep: false, value: known });
      continue;
    }
    const server = credentialServer(spec, id);
    const reasons = [...(ctx.world.reseal ? ['--reseal re-encrypts every value'] : []), ...new Set(carriers.flatMap((c) => (c.why ? [c.why] : [])))];
    const variable = credentialEnvVar(env, id);
    const supply = `supply it: export ${variable}=… or --secret-file ${variable}=<file>`;
    if (server?.external) {
      problems.push({
        field: variable,
        message: `environment '${env}': the ${CREDENTIAL_LABEL[id]} must be supplied: ${server.what} (${server.field}) has its own value, which gen-gitops cannot know or set${reasons.length > 0 && carriers.some((c) => c.present) ? `; re-sealing is needed because ${reasons.join('; ')}` : ''}`,
        hint: supply,
      });
      continue;
    }
    const serverRuns =
      server !== undefined &&
      (ctx.world.previous(server.kind, server.namespace, server.name) !== undefined ||
        carriers.some((c) => c.present && c.secret.namespace === server.namespace && c.secret.name === server.secretName));
    if (!serverRuns) {
      // First render, a newly embedded database, or a value nothing keeps: one fresh value for every Secret.
      plan.set(id, { keep: false, value: ctx.credentials.value(env, id) });
      continue;
    }
    // Where to read the value in use: the server's own Secret first.
    const read =
      carriers.find((c) => c.present && c.secret.namespace === server!.namespace && c.secret.name === server!.secretName) ?? carriers.find((c) => c.present) ?? carriers[0]!;
    problems.push({
      field: variable,
      message: `environment '${env}': cannot seal the ${CREDENTIAL_LABEL[id]} again without its value (${reasons.join('; ')}); gen-gitops never stores plaintext, and a new value would not match ${server!.what}`,
      hint:
        `${supply}. Read the value in use with: kubectl -n ${read.secret.namespace} get secret ${read.secret.name} -o jsonpath='{.data.${read.key}}' | base64 -d` +
        (reasons.some((r) => r.startsWith('the sealing certificate changed'))
          ? '. Or keep sealing with the certificate the committed values were sealed for: the controller keeps its old keys and still unseals them'
          : ''),
    });
  }
  if (problems.length > 0) throw new InputError(problems);
  return plan;
}

export const sealedSecretsProvider: SecretProvider = {
  name: 'sealed-secrets',
  emit(scope: Construct, secret: SecretSpec, ctx: SecretRenderContext): void {
    const { cert } = sealingCertificateFor(ctx);
    const sealingScope = scopeOf(ctx);
    const plan = planSealing(ctx, cert);
    const prev = previousSealed(ctx, secret);
    const encryptedData: Record<string, string> = {};
    for (const e of secret.entries) {
      const d = plan.get(e.credential)!;
      encryptedData[e.key] = d.keep ? prev!.encrypted[e.key]! : sealValue(cert, sealingScope, secret.namespace, secret.name, d.value);
    }
    const scopeAnn = scopeAnnotations(sealingScope);
    new ApiObject(scope, `${secret.namespace}-${secret.name}`, {
      apiVersion: 'bitnami.com/v1alpha1',
      kind: 'SealedSecret',
      metadata: {
        name: secret.name,
        namespace: secret.namespace,
        labels: ctx.labels(secret),
        // The controller picks the decryption label from these (sealing.ts).
        annotations: { ...ctx.annotations, ...scopeAnn, [CERT_ANNOTATION]: cert.fingerprint },
      },
      spec: {
        encryptedData,
        template: {
          metadata: {
            name: secret.name,
            namespace: secret.namespace,
            labels: ctx.labels(secret),
            ...(Object.keys(scopeAnn).length > 0 ? { annotations: scopeAnn } : {}),
          },
          type: 'Opaque',
        },
      },
    });
  },
};
