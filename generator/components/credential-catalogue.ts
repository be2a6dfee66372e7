/**
 * The credential catalogue: every credential id and the shapes that say
 * which Secret key carries which credential. A leaf module (it imports
 * nothing): components declare the credentials they need and the Secrets they
 * read with these, and secrets/credentials.ts composes them through the
 * registry, so the two must not import each other.
 */

/**
 * Every credential an environment may need. Values that must agree
 * (PostgreSQL's password and the one MLflow uses; MinIO's root credentials
 * and MLflow's S3 keys) are one credential referenced from several Secrets.
 * Declared here, not derived from the components: the id is a literal type
 * that the lengths, labels and providers' tables are keyed by, and the
 * components test checks this list is exactly the union of what they need.
 */
export const CREDENTIALS = ['postgresPassword', 'minioRootUser', 'minioRootPassword', 'mlflowAdminPassword', 'flaskSecretKey'] as const;
export type CredentialId = (typeof CREDENTIALS)[number];

/** One key of a Secret and the credential it carries. */
export interface SecretEntry {
  key: string;
  credential: CredentialId;
}

/** A Secret some workload reads; providers decide how it comes to exist. */
export interface SecretSpec {
  namespace: string;
  name: string;
  /** `app.kubernetes.io/name|instance|component` of the workload it serves. */
  app: { name: string; instance: string };
  entries: SecretEntry[];
}

/**
 * Who enforces or persists a credential:
 *  - `external`: a server gen-gitops does not render (postgres/minio mode external): it
 *    already has its own value, so ours must be supplied, never generated;
 *  - a workload of this environment that keeps the value once it started (PostgreSQL's
 *    initdb, MinIO's root user, MLflow's auth database): changing the value under it
 *    breaks clients, so an unknown value must not be regenerated once it runs;
 *  - undefined: nothing keeps it (the Flask secret key); regenerating only resets sessions.
 */
export type CredentialServer =
  { external: true; what: string; field: string } | { external: false; kind: string; namespace: string; name: string; secretName: string; what: string };
