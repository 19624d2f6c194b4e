import t from 'tap';
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { buildMasterList, buildSod } from '../../src/mrtd/pki/builder-cms.js';
import { createDocumentPki, type DocumentPki, type DocumentPkiSpec } from '../../src/mrtd/pki/builder-pki.js';
import { buildCertificate, buildCrl, buildDocumentSigner, ext, buildMasterListSigner, generateKeyPair, nodeSigningKey, type KeyPair } from '../../src/mrtd/pki/builder.js';
import { alpha2ForIssuingState, checkExtraStates, ICAO_SPECIAL_CODES, ISO3166_ALPHA3_TO_ALPHA2 } from '../../src/mrtd/pki/countries.js';
import { passiveAuthentication, type PassiveInput, type PassiveResult } from '../../src/mrtd/pki/passive.js';
import { buildTrustStore, type TrustFile } from '../../src/mrtd/pki/trust-store.js';
import { decodeCertificate } from '../../src/mrtd/pki/x509.js';

const FIX = new URL('../fixtures/mrtd/examples/', import.meta.url);
const dir = (name: string): Record<string, Buffer> =>
  Object.fromEntries(readdirSync(new URL(`passports/${name}/`, FIX)).filter((f) => f !== "chip.json").map((f) => [f, readFileSync(new URL(`passports/${name}/${f}`, FIX))]));
const trustFiles: TrustFile[] = readdirSync(new URL('trust/', FIX)).map((name) => ({ name, bytes: readFileSync(new URL(`trust/${name}`, FIX)) }));
const fixtureStore = buildTrustStore(trustFiles);
const expected = JSON.parse(readFileSync(new URL('passports.json', FIX), 'utf8')) as Record<string, { passive: string; requiredCodes: string[] }>;

const check = (r: PassiveResult, id: string) => r.checks.find((c) => c.id === id);

t.test('fixture passports: genuine passes, dg1-altered fails with DG_HASH_MISMATCH (passports.json)', async (t) => {
  for (const name of ['genuine', 'dg1-altered']) {
    const files = dir(name);
    const r = passiveAuthentication({ sod: files['EF.SOD']!, files, issuingState: 'FIN', trustStore: fixtureStore, now: new Date('2026-03-01T00:00:00Z') });
    t.equal(r.verdict, expected[name]!.passive, `${name}: verdict`);
    for (const code of expected[name]!.requiredCodes) t.ok(r.failures.includes(code as never), `${name}: ${code}`);
    t.equal(r.signer?.csca?.source, 'csca-uto-ec.pem');
    t.equal(r.signer?.dsKey, 'EC brainpoolP256r1 (explicit)');
    t.equal(check(r, 'ds.revocation')?.result, 'pass', 'the CSCA CRL verifies and does not list this DS');
    // Details never carry holder data: the MRZ in DG1 must not appear anywhere in the result.
    const mrz = files.DG1!.subarray(5).toString('latin1');
    t.notOk(JSON.stringify(r).includes(mrz.slice(5, 30)), `${name}: no MRZ text in the result`);
  }
  const altered = dir('dg1-altered');
  const r = passiveAuthentication({ sod: altered['EF.SOD']!, files: altered, issuingState: 'FIN', trustStore: fixtureStore, now: new Date('2026-03-01') });
  t.same(r.failures, ['DG_HASH_MISMATCH']);
  t.same(r.checks.filter((c) => c.result === 'fail').map((c) => c.id), ['dg.DG1']);
});

t.test('fixture passport against other issuing states and stores', async (t) => {
  const g = dir('genuine');
  const run = (over: Partial<PassiveInput>): PassiveResult =>
    passiveAuthentication({ sod: g['EF.SOD']!, files: g, issuingState: 'FIN', trustStore: fixtureStore, now: new Date('2026-03-01'), ...over });
  t.same(run({ issuingState: 'D<<' }).failures, ['COUNTRY_MISMATCH'], 'Germany');
  t.same(run({ issuingState: 'UTO' }).failures, ['COUNTRY_MISMATCH'], 'unknown specimen state');
  t.equal(run({ issuingState: 'UTO', extraStates: { UTO: 'FI' } }).verdict, 'pass', 'specimen state mapped for a test');
  const noEc = buildTrustStore(trustFiles.filter((f) => !f.name.startsWith('csca-uto-ec')));
  const r = run({ trustStore: noEc });
  t.same(r.failures, ['DS_CERT_UNTRUSTED']);
  t.equal(check(r, 'ds.issuer')?.result, 'fail');
  t.equal(check(r, 'ds.revocation')?.result, 'not-performed');
  t.equal(check(r, 'country')?.result, 'pass', 'country still checked against the DS issuer name');
  const noCrl = run({ trustStore: buildTrustStore(trustFiles.filter((f) => !f.name.endsWith('.crl'))) });
  t.equal(noCrl.verdict, 'pass', 'a missing CRL does not fail the document');
  t.equal(check(noCrl, 'ds.revocation')?.result, 'not-performed', '... but revocation is reported as not performed');
  const files = new Map(Object.entries(g));
  files.set('DG3', Buffer.from('6300', 'hex'));
  const missing = run({ files });
  t.same(missing.failures, ['DG_MISSING_FROM_SOD'], 'a file read but not listed');
  t.equal(run({ files: {} }).verdict, 'pass', 'no data group given: the SOD alone');
  t.equal(check(run({ files: {} }), 'dg')?.result, 'not-performed');
});

// ---- generated PKIs ----

const y = (s: string): Date => new Date(s);
const base: DocumentPkiSpec = {
  country: 'UT',
  cscaKey: { type: 'ec', curve: 'P-256' },
  cscaSignature: { hash: 'sha256' },
  cscaValidity: { notBefore: y('2020-01-01'), notAfter: y('2040-01-01') },
  dsKey: { type: 'ec', curve: 'P-256' },
  dsSignature: { hash: 'sha256' },
  dsValidity: { notBefore: y('2024-01-01'), notAfter: y('2034-01-01') },
  dsPrivateKeyUsage: { notBefore: y('2024-01-01'), notAfter: y('2024-07-01') },
};
const cscaPair: KeyPair = generateKeyPair({ type: 'ec', curve: 'P-256' });
const dsPair: KeyPair = generateKeyPair({ type: 'ec', curve: 'P-256' });
const shared = createDocumentPki({ ...base, cscaKey: cscaPair, dsKey: dsPair });
const DG1 = Buffer.from('615B5F1F58' + Buffer.from('P<UTOSPECIMEN<<TEST<<<<<<<<<<<<<<<<<<<<<<<<<<L898902C36UTO7408122F1204159ZE184226B<<<<<10').toString('hex'), 'hex');
const DG2 = Buffer.alloc(3000, 0x55);

interface Make {
  readonly pki?: DocumentPki;
  readonly signingTime?: Date | null;
  readonly files?: Map<number, Buffer>;
  readonly crls?: Buffer[];
  readonly cscaInStore?: boolean;
}

function make(o: Make = {}): { sod: Buffer; store: ReturnType<typeof buildTrustStore>; files: Record<string, Buffer>; pki: DocumentPki } {
  const pki = o.pki ?? shared;
  const dgs = o.files ?? new Map([[1, DG1], [2, DG2]]);
  const sod = buildSod({
    dataGroups: dgs,
    signerCertificate: pki.ds.certificate,
    signerKey: pki.ds.key,
    digest: 'sha256',
    ...(o.signingTime === null ? {} : { signingTime: o.signingTime ?? y('2024-03-01') }),
  });
  const store = buildTrustStore([
    ...(o.cscaInStore === false ? [] : [{ name: 'csca.der', bytes: pki.csca.certificate }]),
    ...(o.crls ?? []).map((bytes, i) => ({ name: `${i}.crl`, bytes })),
  ]);
  return { sod, store, pki, files: Object.fromEntries([...dgs].map(([n, b]) => [`DG${n}`, b])) };
}

const run = (m: ReturnType<typeof make>, over: Partial<PassiveInput> = {}): PassiveResult =>
  passiveAuthentication({ sod: m.sod, files: m.files, issuingState: 'UTO', extraStates: { UTO: 'UT' }, trustStore: m.store, now: y('2025-06-01'), ...over });

t.test('generated PKI: the baseline passes', async (t) => {
  const r = run(make());
  t.equal(r.verdict, 'pass', JSON.stringify(r.checks.filter((c) => c.result !== 'pass')));
  t.same(r.failures, []);
  t.equal(r.signer?.signingTime, '2024-03-01T00:00:00.000Z');
  t.equal(r.signer?.signatureAlgorithm, 'ECDSA-SHA256');
});

t.test('DS_CERT_EXPIRED: outside validity at the signing time, or at now without signingTime', async (t) => {
  const old = createDocumentPki({
    ...base,
    cscaKey: cscaPair,
    dsKey: dsPair,
    dsValidity: { notBefore: y('2020-01-01'), notAfter: y('2021-01-01') },
    dsPrivateKeyUsage: { notBefore: y('2020-01-01'), notAfter: y('2020-07-01') },
  });
  const r = run(make({ pki: old }));
  t.same(r.failures, ['DS_CERT_EXPIRED']);
  t.equal(check(r, 'ds.validity')?.code, 'DS_CERT_EXPIRED');
  const signedInTime = run(make({ pki: old, signingTime: y('2020-06-01') }));
  t.equal(signedInTime.verdict, 'pass', 'signed while valid: still fine after expiry');
  const noTime = make({ signingTime: null });
  t.equal(run(noTime).verdict, 'pass', 'no signingTime: checked at now, inside validity');
  t.same(run(noTime, { now: y('2035-01-01') }).failures, ['DS_CERT_EXPIRED'], 'no signingTime: checked at now, after expiry');
  t.same(run(make({ signingTime: y('2024-09-01') })).failures, ['DS_CERT_EXPIRED'], 'signed after the private key usage period');
});

t.test('DS_CERT_REVOKED: only with a CRL that the issuing CSCA signed', async (t) => {
  const crl = (revoke: boolean, key = shared.csca.key, nextUpdate = y('2026-01-01')): Buffer =>
    buildCrl({
      issuerCertificate: shared.csca.certificate,
      issuerKey: key,
      thisUpdate: y('2025-01-01'),
      nextUpdate,
      revoked: revoke ? [{ serialNumber: 0x1001n, revocationDate: y('2024-12-01'), reason: 'keyCompromise' }] : [],
    });
  const revoked = run(make({ crls: [crl(true)] }));
  t.same(revoked.failures, ['DS_CERT_REVOKED']);
  t.match(check(revoked, 'ds.revocation')?.detail, /keyCompromise/);
  t.equal(check(run(make({ crls: [crl(false)] })), 'ds.revocation')?.result, 'pass');
  // A CRL naming the CSCA but signed by another key is ignored.
  const forged = run(make({ crls: [crl(true, nodeSigningKey(generateKeyPair({ type: 'ec', curve: 'P-256' }), { hash: 'sha256' }))] }));
  t.equal(forged.verdict, 'pass');
  t.equal(check(forged, 'ds.revocation')?.result, 'not-performed');
  t.match(check(forged, 'ds.revocation')?.detail, /signature does not verify/);
  const stale = run(make({ crls: [crl(false, shared.csca.key, y('2025-02-01'))] }));
  t.equal(check(stale, 'ds.revocation')?.result, 'not-performed', 'only a CRL past nextUpdate');
  t.same(run(make({ crls: [crl(true, shared.csca.key, y('2025-02-01'))] })).failures, ['DS_CERT_REVOKED'], 'a stale CRL still proves revocation');
});

t.test('COUNTRY_MISMATCH, including a document signer from another country', async (t) => {
  t.same(run(make(), { issuingState: 'FIN' }).failures, ['COUNTRY_MISMATCH']);
  t.same(run(make(), { issuingState: '123' }).failures, ['COUNTRY_MISMATCH'], 'not a code');
  const otherDs = buildDocumentSigner({
    subjectPublicKey: shared.ds.key.spki,
    subject: [['country', 'SE'], ['commonName', 'DS']],
    serialNumber: 0x1001n,
    notBefore: y('2024-01-01'),
    notAfter: y('2030-01-01'),
    issuerCertificate: shared.csca.certificate,
    issuerKey: shared.csca.key,
  });
  const r = run(make({ pki: { ...shared, ds: { ...shared.ds, certificate: otherDs } } }));
  t.same(r.failures, ['COUNTRY_MISMATCH']);
  t.match(check(r, 'country')?.detail, /document signer country SE/);
});

t.test('DS_CERT_UNTRUSTED: no CSCA, or a same-named CSCA with another key', async (t) => {
  t.same(run(make({ cscaInStore: false })).failures, ['DS_CERT_UNTRUSTED']);
  const impostor = createDocumentPki({ ...base, dsKey: dsPair });
  const m = make();
  const r = run(m, { trustStore: buildTrustStore([{ name: 'impostor.der', bytes: impostor.csca.certificate }]) });
  t.same(r.failures, ['DS_CERT_UNTRUSTED']);
  t.equal(check(r, 'ds.issuer')?.result, 'fail', 'same name, but the key identifiers differ');
  // Without a subject key identifier, the name alone selects the impostor; its key does not verify the DS.
  const noSki = buildCertificate(
    {
      serialNumber: 9n,
      issuer: decodeCertificate(shared.csca.certificate).subject.raw,
      subject: decodeCertificate(shared.csca.certificate).subject.raw,
      notBefore: y('2020-01-01'),
      notAfter: y('2040-01-01'),
      subjectPublicKey: impostor.csca.key.spki,
      extensions: [ext.basicConstraints(true, 0), ext.keyUsage(['keyCertSign', 'cRLSign'])],
    },
    impostor.csca.key,
  );
  const r2 = run(m, { trustStore: buildTrustStore([{ name: 'noski.der', bytes: noSki }]) });
  t.same(r2.failures, ['DS_CERT_UNTRUSTED']);
  t.equal(check(r2, 'ds.issuer')?.result, 'pass');
  t.equal(check(r2, 'ds.certificate-signature')?.result, 'fail');
  // Two CSCAs with the same name (key rollover): the one whose key verifies is chosen.
  const both = buildTrustStore([{ name: 'a.der', bytes: impostor.csca.certificate }, { name: 'b.der', bytes: shared.csca.certificate }]);
  t.equal(run(m, { trustStore: both }).verdict, 'pass');
  t.equal(run(m, { trustStore: both }).signer?.csca?.source, 'b.der');
});

t.test('a CSCA that arrives through an anchored master list', async (t) => {
  const root = createDocumentPki({ ...base, country: 'UN', cscaCommonName: 'Master list anchor' });
  const mlKey = nodeSigningKey(generateKeyPair({ type: 'ec', curve: 'P-256' }), { hash: 'sha256' });
  const mlCert = buildMasterListSigner({
    subjectPublicKey: mlKey.spki,
    subject: [['country', 'UN'], ['commonName', 'ML signer']],
    serialNumber: 7n,
    notBefore: y('2020-01-01'),
    notAfter: y('2030-01-01'),
    issuerCertificate: root.csca.certificate,
    issuerKey: root.csca.key,
  });
  const ml = buildMasterList({ cscaCertificates: [shared.csca.certificate], signerCertificate: mlCert, signerKey: mlKey, digest: 'sha256' });
  const m = make({ cscaInStore: false });
  const store = buildTrustStore([{ name: 'root.der', bytes: root.csca.certificate }, { name: 'list.ml', bytes: ml }]);
  const r = run(m, { trustStore: store });
  t.equal(r.verdict, 'pass');
  t.same(r.signer?.csca && [r.signer.csca.source, r.signer.csca.via], ['list.ml', 'master-list']);
  const unanchored = buildTrustStore([{ name: 'list.ml', bytes: ml }]);
  t.same(run(m, { trustStore: unanchored }).failures, ['DS_CERT_UNTRUSTED']);
});

t.test('SOD_SIGNATURE_INVALID, DG_HASH_MISMATCH, DG_MISSING_FROM_SOD, SOD_MALFORMED', async (t) => {
  const m = make();
  const sig = Buffer.from(m.sod);
  sig[sig.length - 3] = sig[sig.length - 3]! ^ 0x08;
  t.same(run({ ...m, sod: sig }).failures, ['SOD_SIGNATURE_INVALID']);
  t.same(run({ ...m, files: { ...m.files, DG2: Buffer.concat([DG2, Buffer.from([0])]) } }).failures, ['DG_HASH_MISMATCH']);
  const missing = run({ ...m, files: { ...m.files, DG14: Buffer.from('6E00', 'hex'), 'EF.COM': Buffer.from('60035C0161', 'hex') } });
  t.same(missing.failures, ['DG_MISSING_FROM_SOD']);
  t.equal(check(missing, 'dg.DG14')?.code, 'DG_MISSING_FROM_SOD');
  t.equal(missing.checks.filter((c) => c.id.startsWith('dg.')).length, 3, 'EF.COM is not a data group');
  for (const bad of [Buffer.alloc(0), m.sod.subarray(0, 100), Buffer.from('7700', 'hex'), Buffer.concat([m.sod, Buffer.from([1])])]) {
    const r = run({ ...m, sod: bad });
    t.same(r.failures, ['SOD_MALFORMED']);
    t.equal(r.verdict, 'fail');
    t.ok(r.checks.filter((c) => c.id !== 'sod.parse').every((c) => c.result === 'not-performed'));
    t.equal(r.signer, undefined);
  }
  // A SOD without the DS certificate cannot be verified: a failure, never a pass.
  const bare = buildSod({ dataGroups: new Map([[1, DG1]]), signerCertificate: shared.ds.certificate, signerKey: shared.ds.key, digest: 'sha256', certificates: [] });
  const r = run({ ...m, sod: bare, files: { DG1 } });
  t.equal(r.verdict, 'fail');
  t.same(r.failures, ['SOD_SIGNATURE_INVALID']);
});

t.test('signer algorithms: RSA PKCS#1, RSA-PSS, ECDSA on NIST and Brainpool curves', async (t) => {
  const rsaCsca = generateKeyPair({ type: 'rsa', bits: 2048 });
  const cases: [string, Partial<DocumentPkiSpec>][] = [
    ['RSA PKCS#1 SHA-256 (RSA CSCA)', { cscaKey: rsaCsca, cscaSignature: { hash: 'sha256' }, dsKey: { type: 'rsa', bits: 2048 }, dsSignature: { hash: 'sha256' } }],
    ['RSA-PSS SHA-256', { cscaKey: rsaCsca, cscaSignature: { hash: 'sha512', padding: 'pss' }, dsKey: { type: 'rsa', bits: 2048 }, dsSignature: { hash: 'sha256', padding: 'pss' } }],
    ['ECDSA P-256', { dsKey: { type: 'ec', curve: 'P-256' }, dsSignature: { hash: 'sha256' } }],
    ['ECDSA P-384', { dsKey: { type: 'ec', curve: 'P-384' }, dsSignature: { hash: 'sha384' } }],
    ['ECDSA P-521', { dsKey: { type: 'ec', curve: 'P-521' }, dsSignature: { hash: 'sha512' } }],
    ['ECDSA brainpoolP256r1 explicit', { cscaKey: { type: 'ec', curve: 'brainpoolP384r1' }, cscaSignature: { hash: 'sha384', explicitParameters: true }, dsKey: { type: 'ec', curve: 'brainpoolP256r1' }, dsSignature: { hash: 'sha256', explicitParameters: true } }],
    ['ECDSA brainpoolP512r1 plain', { dsKey: { type: 'ec', curve: 'brainpoolP512r1' }, dsSignature: { hash: 'sha512', ecdsaPlain: true } }],
  ];
  for (const [name, over] of cases) {
    const pki = createDocumentPki({ ...base, cscaKey: cscaPair, ...over });
    const m = make({ pki });
    const r = run(m);
    t.equal(r.verdict, 'pass', `${name}: ${JSON.stringify(r.checks.filter((c) => c.result === 'fail'))}`);
    const sig = Buffer.from(m.sod);
    sig[sig.length - 2] = sig[sig.length - 2]! ^ 0x01;
    t.same(run({ ...m, sod: sig }).failures, ['SOD_SIGNATURE_INVALID'], `${name}: tampered`);
  }
});

t.test('issuing-state codes', async (t) => {
  t.equal(Object.keys(ISO3166_ALPHA3_TO_ALPHA2).length, 249);
  t.ok(Object.values(ISO3166_ALPHA3_TO_ALPHA2).every((v) => /^[A-Z]{2}$/.test(v)));
  t.equal(new Set(Object.values(ISO3166_ALPHA3_TO_ALPHA2)).size, 249, 'one alpha-2 per alpha-3');
  const cases: [string, string | undefined][] = [
    ['D', 'DE'], ['D<<', 'DE'], ['DEU', 'DE'], ['FIN', 'FI'], ['GBR', 'GB'], ['GBD', 'GB'], ['GBN', 'GB'], ['GBO', 'GB'], ['GBP', 'GB'], ['GBS', 'GB'],
    ['UNA', 'UN'], ['UNK', 'UN'], ['UNO', 'UN'], ['EUE', 'EU'], ['NLD', 'NL'], ['CHE', 'CH'], ['fin', 'FI'], ['UTO', undefined], ['XXX', undefined], ['', undefined], ['F1N', undefined],
  ];
  for (const [code, want] of cases) t.equal(alpha2ForIssuingState(code), want, code);
  t.equal(alpha2ForIssuingState('UTO', { UTO: 'UT' }), 'UT');
  t.equal(Object.keys(ICAO_SPECIAL_CODES).includes('D'), true);
  t.throws(() => checkExtraStates({ UTO: 'utopia' }));
  t.same(checkExtraStates({ UTO: 'UT' }), { UTO: 'UT' });
});

t.test('property: mutated EF.SOD and files give a report, never an exception', async (t) => {
  const m = make();
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 5 }), fc.boolean(), (edits, dgToo) => {
      const sod = Buffer.from(m.sod);
      for (const [i, v] of edits) sod[i % sod.length] = v;
      const files = dgToo ? { DG1: sod.subarray(0, 50) } : m.files;
      const r = run({ ...m, sod, files });
      return (r.verdict === 'pass') === (r.failures.length === 0 && r.checks.some((c) => c.id === 'sod.signature' && c.result === 'pass'));
    }),
    { numRuns: 300 },
  );
  t.pass('reports only');
});
