/**
 * Test-only certificate factory built on the `openssl` CLI (Node has no X.509 builder).
 *
 * RSA certificates are self-signed through `openssl ca -selfsign` so that notBefore/notAfter can be
 * set to arbitrary instants (OpenSSL 3.0's `req -x509` only takes a positive `-days`), which lets
 * tests produce genuinely expired or not-yet-valid certificates.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface RsaCertOptions {
  /** Validity length in days counted from notBefore (default 365). Ignored when notAfterOffsetDays is set. */
  days?: number;
  /** notBefore relative to now, in days (default 0 = now; negative = in the past). */
  notBeforeOffsetDays?: number;
  /** notAfter relative to now, in days (e.g. -1 for an already expired certificate). */
  notAfterOffsetDays?: number;
  /** RSA modulus size (default 2048). */
  bits?: number;
  /** Subject/issuer CN (default "sealed-secret", like the controller's certificate). */
  commonName?: string;
}

export interface TestCert {
  /** Path of the PEM certificate inside a fresh subdirectory of `dir`. */
  certPath: string;
  certPem: string;
  /** PKCS#8 PEM private key matching the certificate. */
  keyPem: string;
  notBefore: Date;
  notAfter: Date;
}

function openssl(args: string[], cwd: string): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as { stderr?: Buffer; message?: string };
    throw new Error(`openssl ${args.join(' ')} failed: ${e.stderr?.toString() ?? e.message ?? String(err)}`);
  }
}

/** ASN.1 GeneralizedTime as accepted by `openssl ca -startdate/-enddate`. */
function asn1Time(d: Date): string {
  return d
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:T]/g, '');
}

/** Self-signed RSA certificate with controllable validity window. */
export function makeRsaCert(dir: string, opts: RsaCertOptions = {}): TestCert {
  const work = mkdtempSync(join(dir, 'rsa-'));
  const bits = opts.bits ?? 2048;
  const cn = opts.commonName ?? 'sealed-secret';
  // Whole seconds (X.509 has second granularity); rounding down keeps notBefore <= now.
  const nowMs = Math.floor(Date.now() / 1000) * 1000;
  const notBefore = new Date(nowMs + Math.round((opts.notBeforeOffsetDays ?? 0) * DAY_MS));
  const notAfter =
    opts.notAfterOffsetDays !== undefined
      ? new Date(nowMs + Math.round(opts.notAfterOffsetDays * DAY_MS))
      : new Date(notBefore.getTime() + Math.round((opts.days ?? 365) * DAY_MS));

  writeFileSync(
    join(work, 'ca.cnf'),
    [
      '[ ca ]',
      'default_ca = CA_default',
      '[ CA_default ]',
      'database = ./index.txt',
      'new_certs_dir = .',
      'serial = ./serial',
      'default_md = sha256',
      'policy = policy_any',
      'unique_subject = no',
      'copy_extensions = none',
      '[ policy_any ]',
      'commonName = supplied',
      '',
    ].join('\n'),
  );
  writeFileSync(join(work, 'index.txt'), '');
  writeFileSync(join(work, 'serial'), `${Date.now().toString(16).padStart(16, '0')}01\n`);

  openssl(['req', '-new', '-newkey', `rsa:${bits}`, '-nodes', '-keyout', 'key.pem', '-out', 'req.csr', '-subj', `/CN=${cn}`], work);
  openssl(
    [
      'ca',
      '-batch',
      '-notext',
      '-config',
      'ca.cnf',
      '-selfsign',
      '-keyfile',
      'key.pem',
      '-in',
      'req.csr',
      '-out',
      'cert.pem',
      '-startdate',
      asn1Time(notBefore),
      '-enddate',
      asn1Time(notAfter),
    ],
    work,
  );

  return certIn(work, notBefore, notAfter);
}

/** Self-signed EC (P-256) certificate valid for `days` (default 30) — a non-RSA key. */
export function makeEcCert(dir: string, days = 30): TestCert {
  const work = mkdtempSync(join(dir, 'ec-'));
  const nowMs = Math.floor(Date.now() / 1000) * 1000;
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      'key.pem',
      '-out',
      'cert.pem',
      '-days',
      String(days),
      '-subj',
      '/CN=not-sealed-secrets',
    ],
    work,
  );
  return certIn(work, new Date(nowMs), new Date(nowMs + days * DAY_MS));
}

/** The cert.pem and key.pem openssl left in `work`. */
function certIn(work: string, notBefore: Date, notAfter: Date): TestCert {
  const certPath = join(work, 'cert.pem');
  return { certPath, certPem: readFileSync(certPath, 'utf8'), keyPem: readFileSync(join(work, 'key.pem'), 'utf8'), notBefore, notAfter };
}
