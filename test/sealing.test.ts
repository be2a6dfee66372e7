import test from 'ava';
import { execFileSync } from 'node:child_process';
import { constants, createDecipheriv, createHash, createPrivateKey, generateKeyPairSync, privateDecrypt } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  SealingCertError,
  hybridEncrypt,
  loadSealingCertificate,
  scopeAnnotations,
  sealValue,
  sealingLabel,
  type SealingCert,
  type SealingScope,
} from '../generator/secrets/sealing.js';
import { makeEcCert, makeRsaCert, type TestCert } from './helpers/certs.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const FETCH_HINT = 'kubeseal --fetch-cert > cert.pem';

let dir: string;
let rsa: TestCert;
let cert: SealingCert;

test.before(() => {
  dir = mkdtempSync(join(tmpdir(), 'sealing-test-'));
  rsa = makeRsaCert(dir, { days: 30 });
  cert = loadSealingCertificate(rsa.certPem, rsa.certPath);
});

test.after.always(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/**
 * Independent re-implementation of the controller's singleDecrypt
 * (bitnami-labs/sealed-secrets pkg/crypto/crypto.go), step by step.
 */
function controllerDecrypt(keyPem: string, ciphertext: Buffer, label: Buffer): Buffer {
  // 1. length prefix
  if (ciphertext.length < 2) throw new Error('SealedSecret data is too short');
  const rsaLen = ciphertext.readUInt16BE(0);
  if (ciphertext.length < rsaLen + 2) throw new Error('SealedSecret data is too short');
  const rsaCiphertext = ciphertext.subarray(2, rsaLen + 2);
  const aesCiphertext = ciphertext.subarray(rsaLen + 2);
  // 2. rsa.DecryptOAEP(sha256.New(), ..., rsaCiphertext, label)
  const sessionKey = privateDecrypt({ key: keyPem, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256', oaepLabel: label }, rsaCiphertext);
  if (sessionKey.length !== 32) throw new Error(`session key is ${sessionKey.length} bytes, want 32`);
  // 3. AES-256-GCM Open with zero nonce, no additional data; Go appends the 16-byte tag
  if (aesCiphertext.length < 16) throw new Error('AES ciphertext shorter than the GCM tag');
  const body = aesCiphertext.subarray(0, aesCiphertext.length - 16);
  const tag = aesCiphertext.subarray(aesCiphertext.length - 16);
  const decipher = createDecipheriv('aes-256-gcm', sessionKey, Buffer.alloc(12), { authTagLength: 16 });
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(body), decipher.final()]);
}

function unseal(keyPem: string, sealed: string, label: string): string {
  return controllerDecrypt(keyPem, Buffer.from(sealed, 'base64'), Buffer.from(label, 'utf8')).toString('utf8');
}

const VALUES = [
  'hunter2',
  '',
  'pässwörd ✓ 🔑',
  'postgresql://mlflow:s3cr3t@postgres.mlflow.svc:5432/mlflow?sslmode=require',
  'x'.repeat(10_000), // far larger than the RSA modulus: only the AES part grows
];

test('strict: sealed values decrypt with the controller algorithm and label "<namespace>/<name>"', (t) => {
  for (const value of VALUES) {
    const sealed = sealValue(cert, 'strict', 'mlflow', 'postgres-credentials', value);
    t.is(unseal(rsa.keyPem, sealed, 'mlflow/postgres-credentials'), value);
  }
});

test('wire layout: 2-byte big-endian RSA length || RSA ciphertext || AES-GCM ciphertext || 16-byte tag', (t) => {
  for (const value of VALUES) {
    const sealed = sealValue(cert, 'strict', 'ns', 'name', value);
    t.regex(sealed, /^[A-Za-z0-9+/]*={0,2}$/, 'standard base64, no line breaks');
    const raw = Buffer.from(sealed, 'base64');
    t.is(raw.toString('base64'), sealed);
    t.is(raw.readUInt16BE(0), 256, '2048-bit key gives 256-byte RSA ciphertext');
    t.is(raw.length, 2 + 256 + Buffer.byteLength(value, 'utf8') + 16);
  }
});

test('RSA-OAEP part is SHA-256 with MGF1-SHA-256 and the label (cross-checked with openssl pkeyutl)', (t) => {
  const keyPath = join(dir, 'pkeyutl-key.pem');
  writeFileSync(keyPath, rsa.keyPem);
  const cases: Array<[SealingScope, string]> = [
    ['strict', 'team-a/db'],
    ['namespace-wide', 'team-a'],
    ['cluster-wide', ''],
  ];
  for (const [scope, label] of cases) {
    const raw = Buffer.from(sealValue(cert, scope, 'team-a', 'db', 'cross-check'), 'base64');
    const rsaLen = raw.readUInt16BE(0);
    const inPath = join(dir, `pkeyutl-${scope}.bin`);
    writeFileSync(inPath, raw.subarray(2, 2 + rsaLen));
    const args = ['pkeyutl', '-decrypt', '-inkey', keyPath, '-in', inPath, '-pkeyopt', 'rsa_padding_mode:oaep', '-pkeyopt', 'rsa_oaep_md:sha256', '-pkeyopt', 'rsa_mgf1_md:sha256'];
    if (label !== '') args.push('-pkeyopt', `rsa_oaep_label:${Buffer.from(label).toString('hex')}`);
    const sessionKey = execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    t.is(sessionKey.length, 32, `${scope}: 32-byte AES-256 session key`);
    const aes = raw.subarray(2 + rsaLen);
    const decipher = createDecipheriv('aes-256-gcm', sessionKey, Buffer.alloc(12));
    decipher.setAuthTag(aes.subarray(aes.length - 16));
    const plain = Buffer.concat([decipher.update(aes.subarray(0, aes.length - 16)), decipher.final()]);
    t.is(plain.toString(), 'cross-check');
  }
});

test('a value sealed for one namespace/name does not decrypt under any other label', (t) => {
  const sealed = sealValue(cert, 'strict', 'team-a', 'db', 'secret');
  t.is(unseal(rsa.keyPem, sealed, 'team-a/db'), 'secret');
  for (const wrong of ['team-a/db2', 'team-b/db', 'team-a', '', 'team-a/db ', 'Team-a/db']) {
    t.throws(() => unseal(rsa.keyPem, sealed, wrong), undefined, `label ${JSON.stringify(wrong)} must not decrypt`);
  }
});

test('namespace-wide: label is exactly the namespace', (t) => {
  t.deepEqual(sealingLabel('namespace-wide', 'team-a', 'db'), Buffer.from('team-a'));
  const sealed = sealValue(cert, 'namespace-wide', 'team-a', 'db', 'ns-secret');
  t.is(unseal(rsa.keyPem, sealed, 'team-a'), 'ns-secret');
  t.throws(() => unseal(rsa.keyPem, sealed, 'team-a/db'));
  t.throws(() => unseal(rsa.keyPem, sealed, 'team-b'));
  t.throws(() => unseal(rsa.keyPem, sealed, ''));
});

test('cluster-wide: label is empty and the namespace may be empty', (t) => {
  t.is(sealingLabel('cluster-wide', 'team-a', 'db').length, 0);
  for (const ns of ['team-a', '']) {
    const sealed = sealValue(cert, 'cluster-wide', ns, 'db', 'cw-secret');
    t.is(unseal(rsa.keyPem, sealed, ''), 'cw-secret');
    t.throws(() => unseal(rsa.keyPem, sealed, 'team-a'));
    t.throws(() => unseal(rsa.keyPem, sealed, 'team-a/db'));
  }
});

test('sealingLabel bytes match EncryptionLabel', (t) => {
  t.deepEqual(sealingLabel('strict', 'mlflow', 'minio-root'), Buffer.from('mlflow/minio-root', 'utf8'));
  t.deepEqual(sealingLabel('namespace-wide', 'mlflow', 'minio-root'), Buffer.from('mlflow', 'utf8'));
  t.deepEqual(sealingLabel('cluster-wide', 'mlflow', 'minio-root'), Buffer.alloc(0));
  t.throws(() => sealingLabel('bogus' as SealingScope, 'a', 'b'), { message: /Unknown sealing scope/ });
});

test('scopeAnnotations match UpdateScopeAnnotations', (t) => {
  t.deepEqual(scopeAnnotations('strict'), {});
  t.deepEqual(scopeAnnotations('namespace-wide'), { 'sealedsecrets.bitnami.com/namespace-wide': 'true' });
  t.deepEqual(scopeAnnotations('cluster-wide'), { 'sealedsecrets.bitnami.com/cluster-wide': 'true' });
});

test('sealing is randomised: two seals of the same value differ in both RSA and AES parts', (t) => {
  const a = Buffer.from(sealValue(cert, 'strict', 'ns', 'name', 'same'), 'base64');
  const b = Buffer.from(sealValue(cert, 'strict', 'ns', 'name', 'same'), 'base64');
  t.notDeepEqual(a, b);
  t.notDeepEqual(a.subarray(2, 258), b.subarray(2, 258), 'fresh OAEP randomness');
  t.notDeepEqual(a.subarray(258), b.subarray(258), 'fresh session key');
  t.is(unseal(rsa.keyPem, a.toString('base64'), 'ns/name'), 'same');
  t.is(unseal(rsa.keyPem, b.toString('base64'), 'ns/name'), 'same');
});

test('a different private key cannot decrypt', (t) => {
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const otherPem = other.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const sealed = sealValue(cert, 'strict', 'ns', 'name', 'v');
  t.throws(() => unseal(otherPem, sealed, 'ns/name'));
});

test('hybridEncrypt works with larger keys (length prefix > 256) and raw bytes', (t) => {
  const big = makeRsaCert(dir, { bits: 4096, days: 1 });
  const bigCert = loadSealingCertificate(big.certPem, big.certPath);
  const plaintext = Buffer.from([0, 1, 2, 255, 254, 0]);
  const label = Buffer.from('ns/name');
  const raw = hybridEncrypt(bigCert.publicKey, plaintext, label);
  t.is(raw.readUInt16BE(0), 512);
  t.deepEqual(controllerDecrypt(big.keyPem, raw, label), plaintext);
});

test('hybridEncrypt rejects non-RSA or private keys', (t) => {
  const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  t.throws(() => hybridEncrypt(ec.publicKey, Buffer.from('x'), Buffer.alloc(0)), { message: /RSA public key/ });
  t.throws(() => hybridEncrypt(createPrivateKey(rsa.keyPem), Buffer.from('x'), Buffer.alloc(0)), {
    message: /RSA public key/,
  });
});

test('sealValue requires a namespace unless cluster-wide, and a name for strict', (t) => {
  t.throws(() => sealValue(cert, 'strict', '', 'name', 'v'), { message: /namespace/ });
  t.throws(() => sealValue(cert, 'namespace-wide', '', 'name', 'v'), { message: /namespace/ });
  t.throws(() => sealValue(cert, 'strict', 'ns', '', 'v'), { message: /name/ });
  t.notThrows(() => sealValue(cert, 'namespace-wide', 'ns', '', 'v'));
  t.throws(() => sealValue(cert, 'wide' as SealingScope, 'ns', 'n', 'v'), { message: /Unknown sealing scope/ });
});

test('loadSealingCertificate returns the RSA key, sha256 DER fingerprint and notAfter', (t) => {
  t.is(cert.publicKey.type, 'public');
  t.is(cert.publicKey.asymmetricKeyType, 'rsa');
  const der = execFileSync('openssl', ['x509', '-in', rsa.certPath, '-outform', 'DER']);
  t.is(cert.fingerprint, createHash('sha256').update(der).digest('hex'));
  t.regex(cert.fingerprint, /^[0-9a-f]{64}$/);
  const opensslFp = execFileSync('openssl', ['x509', '-in', rsa.certPath, '-noout', '-fingerprint', '-sha256'])
    .toString()
    .trim()
    .replace(/^.*=/, '')
    .replace(/:/g, '')
    .toLowerCase();
  t.is(cert.fingerprint, opensslFp);
  t.is(cert.notAfter.getTime(), rsa.notAfter.getTime());
  // A PEM with trailing junk / surrounding whitespace still loads (first certificate wins, like kubeseal).
  t.is(loadSealingCertificate(`\n${rsa.certPem}\n${rsa.certPem}`, 'bundle').fingerprint, cert.fingerprint);
});

function assertCertError(t: import('ava').ExecutionContext, fn: () => unknown, source: string, re: RegExp): void {
  const err = t.throws(fn, { instanceOf: SealingCertError });
  if (!err) return;
  t.regex(err.message, re);
  t.true(err.message.includes(source), `message names the source: ${err.message}`);
  t.true(err.message.includes(FETCH_HINT), `message explains the fix: ${err.message}`);
  t.is((err as SealingCertError).source, source);
}

test('expired certificate is refused', (t) => {
  const expired = makeRsaCert(dir, { notBeforeOffsetDays: -30, notAfterOffsetDays: -1 });
  assertCertError(t, () => loadSealingCertificate(expired.certPem, expired.certPath), expired.certPath, /expired/);
  // Same via the clock override on a currently valid certificate.
  const later = new Date(rsa.notAfter.getTime() + DAY_MS);
  assertCertError(t, () => loadSealingCertificate(rsa.certPem, 'certs/prod.pem', later), 'certs/prod.pem', /expired/);
  t.notThrows(() => loadSealingCertificate(rsa.certPem, 'x', new Date(rsa.notAfter.getTime() - 1000)));
});

test('not-yet-valid certificate is refused', (t) => {
  const future = makeRsaCert(dir, { notBeforeOffsetDays: 1, days: 30 });
  assertCertError(t, () => loadSealingCertificate(future.certPem, future.certPath), future.certPath, /not valid until/);
  const earlier = new Date(rsa.notBefore.getTime() - DAY_MS);
  assertCertError(t, () => loadSealingCertificate(rsa.certPem, 'certs/dev.pem', earlier), 'certs/dev.pem', /not valid until/);
  t.notThrows(() => loadSealingCertificate(future.certPem, 'x', new Date(future.notBefore.getTime() + 1000)));
});

test('EC (non-RSA) certificate is refused', (t) => {
  const ec = makeEcCert(dir);
  assertCertError(t, () => loadSealingCertificate(ec.certPem, ec.certPath), ec.certPath, /ec public key.*RSA/);
});

test('garbage, empty, truncated and private-key PEMs are refused', (t) => {
  const truncated = rsa.certPem.replace(/\n[A-Za-z0-9+/=]+\n-----END/, '\n-----END');
  const bodyOnly = rsa.certPem.split('\n').slice(3).join('\n');
  const cases: Array<[string, RegExp]> = [
    ['garbage', /not a PEM X.509 certificate/],
    ['', /empty/],
    ['   \n', /empty/],
    [readFileSync(join(rsa.certPath, '..', 'key.pem'), 'utf8'), /private key/],
    ['-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n', /could not be parsed/],
    [truncated, /could not be parsed/],
    [bodyOnly, /not a PEM X.509 certificate/],
  ];
  for (const [pem, re] of cases) {
    assertCertError(t, () => loadSealingCertificate(pem, 'secrets/cert.pem'), 'secrets/cert.pem', re);
  }
});
