/**
 * kubeseal-compatible sealing implemented with node:crypto only.
 *
 * Mirrors bitnami-labs/sealed-secrets:
 *  - pkg/crypto/crypto.go                                  HybridEncrypt
 *  - pkg/apis/sealedsecrets/v1alpha1/sealedsecret_expansion.go
 *      EncryptionLabel, SecretScope, UpdateScopeAnnotations
 *  - pkg/apis/sealedsecrets/v1alpha1/types.go              annotation names
 *  - pkg/kubeseal/kubeseal.go                              ParseKey (cert checks)
 *
 * The controller derives the decryption label from the *SealedSecret's own*
 * metadata (namespace, name and the scope annotations on metadata.annotations),
 * so a value sealed here only unseals if the rendered SealedSecret carries the
 * same namespace/name and the annotations returned by `scopeAnnotations`.
 */
import { X509Certificate, constants, createCipheriv, createHash, publicEncrypt, randomBytes, type KeyObject } from 'node:crypto';

export type SealingScope = 'strict' | 'namespace-wide' | 'cluster-wide';

export const SEALING_SCOPES: readonly SealingScope[] = ['strict', 'namespace-wide', 'cluster-wide'];

export function isSealingScope(value: unknown): value is SealingScope {
  return typeof value === 'string' && (SEALING_SCOPES as readonly string[]).includes(value);
}

/** `sealedsecrets.` + GroupName (`bitnami.com`) + `/` — see types.go. */
const ANNOTATION_PREFIX = 'sealedsecrets.bitnami.com/';
export const NAMESPACE_WIDE_ANNOTATION = `${ANNOTATION_PREFIX}namespace-wide`;
export const CLUSTER_WIDE_ANNOTATION = `${ANNOTATION_PREFIX}cluster-wide`;

/** AES-256 session key size (crypto.go sessionKeyBytes). */
const SESSION_KEY_BYTES = 32;
/** Go cipher.NewGCM: standard 12-byte nonce, 16-byte tag. */
const GCM_NONCE_BYTES = 12;
const GCM_TAG_BYTES = 16;

const FETCH_HINT =
  'Fetch the current public certificate from the sealed-secrets controller with ' + '`kubeseal --fetch-cert > cert.pem` (add --controller-name/--controller-namespace if needed).';

export class SealingCertError extends Error {
  readonly source: string;
  constructor(source: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SealingCertError';
    this.source = source;
  }
}

export interface SealingCert {
  publicKey: KeyObject;
  /** sha256 (lowercase hex) of the certificate's DER encoding. */
  fingerprint: string;
  notAfter: Date;
}

const MONTHS: Record<string, number> = {
  Jan: 0,
  Feb: 1,
  Mar: 2,
  Apr: 3,
  May: 4,
  Jun: 5,
  Jul: 6,
  Aug: 7,
  Sep: 8,
  Oct: 9,
  Nov: 10,
  Dec: 11,
};

/**
 * Parses OpenSSL's ASN1_TIME_print format as exposed by X509Certificate.validFrom/validTo,
 * e.g. "Jan  1 00:00:00 2020 GMT" (optionally with fractional seconds).
 * Node >= 22.10 exposes validFromDate/validToDate; prefer those when present.
 */
function certDate(cert: X509Certificate, which: 'from' | 'to'): Date | undefined {
  const native = (cert as unknown as Record<string, unknown>)[which === 'from' ? 'validFromDate' : 'validToDate'];
  if (native instanceof Date && !Number.isNaN(native.getTime())) return native;
  const text = which === 'from' ? cert.validFrom : cert.validTo;
  const m = /^([A-Z][a-z]{2})\s+(\d{1,2})\s+(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?\s+(\d{4})(?:\s+GMT)?$/.exec(text.trim());
  if (m) {
    const month = MONTHS[m[1] ?? ''];
    if (month !== undefined) {
      return new Date(Date.UTC(Number(m[6]), month, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5])));
    }
  }
  const parsed = new Date(text);
  return Number.isNaN(parsed.getTime()) ? undefined : parsed;
}

/**
 * Parses and validates the sealed-secrets controller's public certificate.
 * @param pem    PEM text (as produced by `kubeseal --fetch-cert`); the first certificate is used.
 * @param source where the PEM came from (e.g. the file path) — used in error messages.
 * @param now    clock override for validity checks (defaults to the current time).
 */
export function loadSealingCertificate(pem: string, source: string, now: Date = new Date()): SealingCert {
  if (typeof pem !== 'string' || pem.trim() === '') {
    throw new SealingCertError(source, `Sealing certificate ${source} is empty. ${FETCH_HINT}`);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    const hint = /PRIVATE KEY-----/.test(pem)
      ? " It looks like a private key; sealing needs the controller's public certificate, never its private key."
      : /PUBLIC KEY-----/.test(pem)
        ? ' It looks like a bare public key; sealing needs the X.509 certificate.'
        : '';
    throw new SealingCertError(source, `Sealing certificate ${source} is not a PEM X.509 certificate (no "-----BEGIN CERTIFICATE-----" block).${hint} ${FETCH_HINT}`);
  }

  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pem);
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw new SealingCertError(source, `Sealing certificate ${source} could not be parsed as a PEM X.509 certificate (${detail}). ${FETCH_HINT}`, { cause: err });
  }

  const publicKey = cert.publicKey;
  // Go's x509 parser (used by kubeseal) only yields *rsa.PublicKey for rsaEncryption SPKIs;
  // RSA-PSS keys cannot be used for OAEP, so only plain 'rsa' is accepted.
  if (publicKey.asymmetricKeyType !== 'rsa') {
    throw new SealingCertError(
      source,
      `Sealing certificate ${source} has a ${publicKey.asymmetricKeyType ?? 'unknown'} public key; ` +
        `sealed-secrets requires an RSA key (RSA-OAEP). Is this the sealed-secrets controller's certificate? ${FETCH_HINT}`,
    );
  }

  const notBefore = certDate(cert, 'from');
  const notAfter = certDate(cert, 'to');
  if (!notBefore || !notAfter) {
    throw new SealingCertError(source, `Sealing certificate ${source} has unreadable validity dates (notBefore "${cert.validFrom}", notAfter "${cert.validTo}"). ${FETCH_HINT}`);
  }
  if (now.getTime() > notAfter.getTime()) {
    throw new SealingCertError(
      source,
      `Sealing certificate ${source} expired on ${notAfter.toISOString()} (now ${now.toISOString()}); ` + `kubeseal refuses to encrypt with an expired certificate. ${FETCH_HINT}`,
    );
  }
  if (now.getTime() < notBefore.getTime()) {
    throw new SealingCertError(
      source,
      `Sealing certificate ${source} is not valid until ${notBefore.toISOString()} (now ${now.toISOString()}); ` + `Check the system clock. ${FETCH_HINT}`,
    );
  }

  const fingerprint = createHash('sha256').update(cert.raw).digest('hex');
  return { publicKey, fingerprint, notAfter };
}

/**
 * RSA-OAEP label binding a sealed value to its scope (EncryptionLabel in
 * sealedsecret_expansion.go): "<namespace>/<name>" (strict), "<namespace>"
 * (namespace-wide) or empty (cluster-wide).
 */
export function sealingLabel(scope: SealingScope, namespace: string, name: string): Buffer {
  switch (scope) {
    case 'cluster-wide':
      return Buffer.alloc(0);
    case 'namespace-wide':
      return Buffer.from(namespace, 'utf8');
    case 'strict':
      return Buffer.from(`${namespace}/${name}`, 'utf8');
    default:
      throw new Error(`Unknown sealing scope ${JSON.stringify(scope)}; expected one of ${SEALING_SCOPES.join(', ')}`);
  }
}

/**
 * Annotations the SealedSecret (its top-level metadata, which the controller reads to pick the
 * label; kubeseal also keeps them on spec.template.metadata) must carry for the scope
 * (UpdateScopeAnnotations). Strict scope has no annotation.
 */
export function scopeAnnotations(scope: SealingScope): Record<string, string> {
  switch (scope) {
    case 'strict':
      return {};
    case 'namespace-wide':
      return { [NAMESPACE_WIDE_ANNOTATION]: 'true' };
    case 'cluster-wide':
      return { [CLUSTER_WIDE_ANNOTATION]: 'true' };
    default:
      throw new Error(`Unknown sealing scope ${JSON.stringify(scope)}; expected one of ${SEALING_SCOPES.join(', ')}`);
  }
}

/**
 * Byte-compatible with HybridEncrypt in pkg/crypto/crypto.go:
 *   uint16be(len(rsaCiphertext)) || rsaCiphertext || AES-256-GCM(ciphertext) || tag(16)
 * where rsaCiphertext = RSA-OAEP(SHA-256, MGF1-SHA-256, label)(sessionKey), the session key is
 * 32 random bytes used once with an all-zero 12-byte nonce and no additional data.
 */
export function hybridEncrypt(publicKey: KeyObject, plaintext: Buffer, label: Buffer): Buffer {
  if (publicKey.type !== 'public' || publicKey.asymmetricKeyType !== 'rsa') {
    throw new Error(`hybridEncrypt needs an RSA public key, got ${publicKey.type} ${publicKey.asymmetricKeyType ?? 'unknown'} key`);
  }
  const sessionKey = randomBytes(SESSION_KEY_BYTES);
  try {
    const rsaCiphertext = publicEncrypt(
      {
        key: publicKey,
        padding: constants.RSA_PKCS1_OAEP_PADDING,
        oaepHash: 'sha256', // OpenSSL uses the OAEP digest for MGF1 too, as Go does
        oaepLabel: label,
      },
      sessionKey,
    );
    if (rsaCiphertext.length > 0xffff) {
      throw new Error(`RSA ciphertext of ${rsaCiphertext.length} bytes does not fit the 2-byte length prefix`);
    }
    const lengthPrefix = Buffer.alloc(2);
    lengthPrefix.writeUInt16BE(rsaCiphertext.length, 0);

    const cipher = createCipheriv('aes-256-gcm', sessionKey, Buffer.alloc(GCM_NONCE_BYTES), {
      authTagLength: GCM_TAG_BYTES,
    });
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    const tag = cipher.getAuthTag();
    return Buffer.concat([lengthPrefix, rsaCiphertext, body, tag]);
  } finally {
    sessionKey.fill(0);
  }
}

/**
 * Seals one Secret value the way `kubeseal` fills spec.encryptedData[key]:
 * standard base64 of HybridEncrypt(value, EncryptionLabel(namespace, name, scope)).
 */
export function sealValue(cert: SealingCert, scope: SealingScope, namespace: string, name: string, value: string): string {
  if (!isSealingScope(scope)) {
    throw new Error(`Unknown sealing scope ${JSON.stringify(scope)}; expected one of ${SEALING_SCOPES.join(', ')}`);
  }
  // kubeseal: "secret must declare a namespace" unless cluster-wide.
  if (scope !== 'cluster-wide' && namespace === '') {
    throw new Error(`Cannot seal with scope ${scope} without a namespace`);
  }
  if (scope === 'strict' && name === '') {
    throw new Error('Cannot seal with scope strict without a secret name');
  }
  const label = sealingLabel(scope, namespace, name);
  return hybridEncrypt(cert.publicKey, Buffer.from(value, 'utf8'), label).toString('base64');
}
