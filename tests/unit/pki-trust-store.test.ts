import t from 'tap';
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { ParseError } from '../../src/errors.js';
import { fileURLToPath } from 'node:url';
import { buildMasterList } from '../../src/mrtd/pki/builder-cms.js';
import { buildCsca, buildDocumentSigner, buildMasterListSigner, ext, generateKeyPair, nodeSigningKey, type SigningKey } from '../../src/mrtd/pki/builder.js';
import { decodeSignedData } from '../../src/mrtd/pki/cms.js';
import { decodeMasterListContent } from '../../src/mrtd/pki/master-list.js';
import { formatName } from '../../src/mrtd/pki/name.js';
import { encodePem } from '../../src/mrtd/pki/pem.js';
import { buildTrustStore, loadTrustStore, type TrustFile, type TrustStore } from '../../src/mrtd/pki/trust-store.js';

const TRUST = new URL('../fixtures/mrtd/examples/trust/', import.meta.url);
const fixtureFiles = (): TrustFile[] => readdirSync(TRUST).map((name) => ({ name, bytes: readFileSync(new URL(name, TRUST)) }));

const from = new Date('2020-01-01T00:00:00Z');
const to = new Date('2040-01-01T00:00:00Z');

function csca(cn: string, country = 'UT'): { cert: Buffer; key: SigningKey } {
  const key = nodeSigningKey(generateKeyPair({ type: 'ec', curve: 'P-256' }), { hash: 'sha256' });
  return { key, cert: buildCsca({ key, subject: [['country', country], ['commonName', cn]], serialNumber: 1n, notBefore: from, notAfter: to }) };
}

function mlSigner(issuer: { cert: Buffer; key: SigningKey }, eku = true): { cert: Buffer; key: SigningKey } {
  const key = nodeSigningKey(generateKeyPair({ type: 'ec', curve: 'P-256' }), { hash: 'sha256' });
  const spec = {
    subjectPublicKey: key.spki,
    subject: [['country', 'UT'], ['commonName', 'ML signer']] as const,
    serialNumber: 99n,
    notBefore: from,
    notAfter: to,
    issuerCertificate: issuer.cert,
    issuerKey: issuer.key,
  };
  return { key, cert: eku ? buildMasterListSigner(spec) : buildDocumentSigner(spec) };
}

const names = (s: TrustStore): string[] => s.cscas.map((a) => `${a.via}:${formatName(a.certificate.subject)}`).sort();

t.test('the fixture folder: three CSCAs in PEM, DER and .cer, three CRLs, nothing rejected', async (t) => {
  const store = buildTrustStore(fixtureFiles());
  t.same(names(store), ['file:C=FI, O=Utopia Government, CN=CSCA Utopia', 'file:C=FI, O=Utopia Government, CN=CSCA Utopia RSA', 'file:C=SE, O=Xyzland Government, CN=CSCA Xyzland']);
  t.same(store.crls.map((c) => c.source).sort(), ['csca-uto-ec.crl', 'csca-uto-rsa.crl', 'csca-xyz.crl']);
  t.same(store.rejected, []);
  const loaded = await loadTrustStore(fileURLToPath(TRUST));
  t.same(names(loaded), names(store), 'loadTrustStore reads the same');
  await t.rejects(loadTrustStore(fileURLToPath(new URL('missing-folder/', TRUST))), 'a missing folder is an error');
});

t.test('files that do not parse are reported, not fatal', async (t) => {
  const a = csca('CSCA A');
  const b = csca('CSCA B');
  const leaf = mlSigner(a, false).cert;
  const store = buildTrustStore([
    { name: 'two.pem', bytes: Buffer.from(encodePem('CERTIFICATE', a.cert) + 'comment\n' + encodePem('CERTIFICATE', b.cert) + encodePem('PRIVATE KEY', Buffer.from([1]))) },
    { name: 'garbage.der', bytes: Buffer.from('not a certificate') },
    { name: 'broken.crl', bytes: Buffer.from([0x30, 0x03, 0x02, 0x01]) },
    { name: 'leaf.cer', bytes: leaf },
    { name: 'README.md', bytes: Buffer.from('# trust') },
    { name: 'dup.der', bytes: a.cert },
  ]);
  t.same(names(store), ['file:C=UT, CN=CSCA A', 'file:C=UT, CN=CSCA B'], 'both PEM blocks, duplicate once');
  t.same(
    store.rejected.map((r) => [r.source, r.reason, r.index ?? null]),
    [
      ['broken.crl', 'parse-error', null],
      ['garbage.der', 'parse-error', null],
      ['leaf.cer', 'not-a-ca', null],
      ['README.md', 'unsupported-file', null],
      ['two.pem', 'unsupported-file', 2],
    ],
  );
  t.ok(store.rejected.every((r) => r.detail.length > 0), 'every rejection says why');
});

t.test('master lists: accepted only when signed and anchored in the folder', async (t) => {
  const anchor = csca('CSCA Anchor');
  const listed1 = csca('CSCA Listed One', 'XA');
  const listed2 = csca('CSCA Listed Two', 'XB');
  const signer = mlSigner(anchor);
  const ml = (s: { cert: Buffer; key: SigningKey }, certs: Buffer[] = [listed1.cert, listed2.cert]): Buffer =>
    buildMasterList({ cscaCertificates: certs, signerCertificate: s.cert, signerKey: s.key, digest: 'sha256', signingTime: new Date('2025-01-01') });
  const good = ml(signer);
  t.equal(decodeMasterListContent(decodeSignedData(good).eContent!).certificates.length, 2, 'content round-trips');

  const accepted = buildTrustStore([
    { name: 'anchor.pem', bytes: Buffer.from(encodePem('CERTIFICATE', anchor.cert)) },
    { name: 'icao.ml', bytes: good },
  ]);
  t.same(names(accepted), ['file:C=UT, CN=CSCA Anchor', 'master-list:C=XA, CN=CSCA Listed One', 'master-list:C=XB, CN=CSCA Listed Two']);
  t.same(accepted.rejected, []);
  t.equal(accepted.masterLists[0]?.cscasAdded, 2);
  t.equal(accepted.cscas.find((a) => a.via === 'master-list')?.source, 'icao.ml');

  // Not anchored: the same list with no CSCA in the folder, or signed under another CSCA.
  const alone = buildTrustStore([{ name: 'icao.ml', bytes: good }]);
  t.same(alone.cscas, []);
  t.same(alone.rejected.map((r) => r.reason), ['master-list-signer-untrusted']);
  const stranger = csca('CSCA Anchor'); // same name, different key
  const foreign = buildTrustStore([
    { name: 'anchor.der', bytes: anchor.cert },
    { name: 'foreign.ml', bytes: ml(mlSigner(stranger)) },
  ]);
  t.same(names(foreign), ['file:C=UT, CN=CSCA Anchor']);
  t.same(foreign.rejected.map((r) => r.reason), ['master-list-signer-untrusted'], 'same issuer name, other key');

  // Broken signature: one byte of the signer's signature changed.
  const broken = Buffer.from(good);
  broken[broken.length - 4] = broken[broken.length - 4]! ^ 0x10;
  const b = buildTrustStore([
    { name: 'anchor.der', bytes: anchor.cert },
    { name: 'broken.ml', bytes: broken },
  ]);
  t.same(names(b), ['file:C=UT, CN=CSCA Anchor']);
  t.same(b.rejected.map((r) => r.reason), ['master-list-signature-invalid']);
  // Changed content: messageDigest no longer matches.
  const altered = Buffer.from(good);
  const at = altered.indexOf(Buffer.from('CSCA Listed Two'));
  altered[at] = 0x63;
  t.same(buildTrustStore([{ name: 'a.der', bytes: anchor.cert }, { name: 'altered.ml', bytes: altered }]).rejected.map((r) => r.reason), ['master-list-signature-invalid']);

  // Signed directly by the folder CSCA itself: anchored.
  const direct = buildTrustStore([{ name: 'anchor.der', bytes: anchor.cert }, { name: 'direct.ml', bytes: ml(anchor) }]);
  t.equal(direct.cscas.length, 3);
  // A signer certificate without extendedKeyUsage is allowed; one whose extendedKeyUsage is not master-list signing is refused.
  const noEku = mlSigner(anchor, false);
  t.equal(buildTrustStore([{ name: 'a.der', bytes: anchor.cert }, { name: 'x.ml', bytes: ml(noEku) }]).cscas.length, 3, 'no extendedKeyUsage');
  const otherEku = buildDocumentSigner({
    subjectPublicKey: noEku.key.spki,
    subject: [['commonName', 'mail signer']],
    serialNumber: 5n,
    notBefore: from,
    notAfter: to,
    issuerCertificate: anchor.cert,
    issuerKey: anchor.key,
    extraExtensions: [ext.extKeyUsage(['1.3.6.1.5.5.7.3.4'])],
  });
  const ekuStore = buildTrustStore([{ name: 'a.der', bytes: anchor.cert }, { name: 'x.ml', bytes: ml({ cert: otherEku, key: noEku.key }) }]);
  t.same(ekuStore.rejected.map((r) => r.reason), ['master-list-signer-untrusted'], 'emailProtection signer');

  // Wrong content type and a non-CA entry.
  const notMl = buildMasterList({ cscaCertificates: [], signerCertificate: signer.cert, signerKey: signer.key, digest: 'sha256' });
  const swapped = Buffer.from(notMl);
  const oidAt = swapped.indexOf(Buffer.from('0606678108010102', 'hex'));
  swapped[oidAt + 7] = 0x07;
  const ct = buildTrustStore([{ name: 'a.der', bytes: anchor.cert }, { name: 'dev.ml', bytes: swapped }]);
  t.same(ct.rejected.map((r) => r.reason), ['master-list-content-type']);
  const mixed = buildTrustStore([{ name: 'a.der', bytes: anchor.cert }, { name: 'mixed.ml', bytes: ml(signer, [listed1.cert, signer.cert]) }]);
  t.equal(mixed.cscas.length, 2);
  t.same(mixed.rejected.map((r) => r.reason), ['not-a-ca']);
  // Master lists never anchor each other: a list signed under a CSCA that only another list provides is refused.
  const second = ml(mlSigner(listed1), [csca('CSCA Third').cert]);
  const chained = buildTrustStore([{ name: 'a.der', bytes: anchor.cert }, { name: '1.ml', bytes: good }, { name: '2.ml', bytes: second }]);
  t.equal(chained.cscas.length, 3);
  t.same(chained.rejected.map((r) => [r.source, r.reason]), [['2.ml', 'master-list-signer-untrusted']]);
});

t.test('property: master-list content parser yields a value or a ParseError', async (t) => {
  const a = csca('CSCA A');
  const content = decodeSignedData(buildMasterList({ cscaCertificates: [a.cert], signerCertificate: a.cert, signerKey: a.key, digest: 'sha256' })).eContent!;
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 5 }), fc.uint8Array({ maxLength: 200 }), fc.boolean(), (edits, random, useRandom) => {
      const b = useRandom ? Buffer.from(random) : Buffer.from(content);
      for (const [i, v] of edits) if (b.length > 0) b[i % b.length] = v;
      try {
        const ml = decodeMasterListContent(b);
        return ml.unparsed.every((u) => u.detail.startsWith('PARSE'));
      } catch (e) {
        return e instanceof ParseError;
      }
    }),
    { numRuns: 1500 },
  );
  t.pass('only values or ParseErrors');
});

t.test('property: arbitrary file contents never throw', async (t) => {
  const seeds = fixtureFiles();
  fc.assert(
    fc.property(
      fc.array(
        fc.tuple(fc.constantFrom('x.pem', 'x.der', 'x.crl', 'x.ml', 'x.cer', 'x.txt'), fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.constantFrom(...seeds.map((s) => new Uint8Array(s.bytes)))), fc.nat()),
        { maxLength: 4 },
      ),
      (files) => {
        const store = buildTrustStore(
          files.map(([name, bytes, flip], i) => {
            const b = Buffer.from(bytes);
            if (b.length > 0) b[flip % b.length] = b[flip % b.length]! ^ 0x01;
            return { name: `${i}${name}`, bytes: b };
          }),
        );
        return Array.isArray(store.rejected);
      },
    ),
    { numRuns: 500 },
  );
  t.pass('never throws');
});
