import t from 'tap';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { ParseError } from '../../src/errors.js';
import { der } from '../../src/mrtd/asn1.js';
import { parseSingle } from '../../src/mrtd/tlv.js';
import { buildCertificate, buildCsca, buildDocumentSigner, ext, generateKeyPair, keyIdentifier, nodeSigningKey } from '../../src/mrtd/pki/builder.js';
import { decodeEfSod } from '../../src/mrtd/pki/cms.js';
import { encodeName, formatName, nameCountry, namesEqual, parseName } from '../../src/mrtd/pki/name.js';
import { decodePem, encodePem } from '../../src/mrtd/pki/pem.js';
import { verifySignature } from '../../src/mrtd/pki/signature.js';
import { decodeCertificate, isValidAt, mayActAsCa, mayHaveIssued, serialEquals } from '../../src/mrtd/pki/x509.js';

const FIX = new URL('../fixtures/mrtd/examples/', import.meta.url);
const read = (p: string): Buffer => readFileSync(new URL(p, FIX));
const pemCert = (p: string): Buffer => decodePem(read(p))[0]!.der;

t.test('EC CSCA with explicit brainpoolP256r1 parameters (fixture trust/csca-uto-ec.pem)', async (t) => {
  const c = decodeCertificate(pemCert('trust/csca-uto-ec.pem'));
  t.equal(c.version, 3);
  t.equal(c.serialNumber.toString('hex'), '122fb16c4b30d80aa4494ff7');
  t.equal(c.signatureAlgorithm.oid, '1.2.840.10045.4.3.2');
  t.equal(formatName(c.subject), 'C=FI, O=Utopia Government, CN=CSCA Utopia');
  t.equal(nameCountry(c.subject), 'FI');
  t.ok(namesEqual(c.issuer, c.subject));
  t.equal(c.validity.notBefore.toISOString(), '2019-01-01T00:00:00.000Z');
  t.equal(c.validity.notAfter.toISOString(), '2039-12-31T23:59:59.000Z');
  const k = c.subjectPublicKeyInfo;
  t.ok(k.kind === 'ec' && k.curve.type === 'explicit' && k.curve.namedMatch?.name === 'brainpoolP256r1', 'explicit params recognised');
  t.same(c.extensions.basicConstraints, { ca: true, pathLength: 0 });
  t.same([...(c.extensions.keyUsage ?? [])].sort(), ['cRLSign', 'keyCertSign']);
  t.equal(c.extensions.subjectKeyIdentifier?.toString('hex'), 'a3309b08a6fe083e6896493aaa804828abef95e9');
  t.equal(c.extensions.authorityKeyIdentifier?.keyIdentifier?.toString('hex'), 'a3309b08a6fe083e6896493aaa804828abef95e9');
  t.same(c.extensions.crlDistributionPoints, ['http://pkd.fi.invalid/csca-fi.crl']);
  t.same(c.extensions.unhandledCritical, []);
  t.ok(mayActAsCa(c));
  t.equal(verifySignature(c.subjectPublicKeyInfo, c.signatureAlgorithm, c.tbs, c.signatureValue).valid, true, 'self-signature verifies');
});

t.test('RSA CSCA in DER and the document signer inside EF.SOD', async (t) => {
  const rsa = decodeCertificate(read('trust/csca-uto-rsa.der'));
  t.ok(rsa.subjectPublicKeyInfo.kind === 'rsa' && rsa.subjectPublicKeyInfo.bits === 3072);
  t.equal(verifySignature(rsa.subjectPublicKeyInfo, rsa.signatureAlgorithm, rsa.tbs, rsa.signatureValue).valid, true);
  const sd = decodeEfSod(read('passports/genuine/EF.SOD'));
  const ds = sd.certificates[0]!;
  t.equal(formatName(ds.subject), 'C=FI, O=Utopia Government, OU=Passport Office, CN=DS Utopia 01');
  t.same([...(ds.extensions.keyUsage ?? [])], ['digitalSignature']);
  t.equal(ds.extensions.privateKeyUsagePeriod?.notBefore?.toISOString(), '2024-12-01T00:00:00.000Z');
  t.equal(ds.extensions.privateKeyUsagePeriod?.notAfter?.toISOString(), '2025-03-01T00:00:00.000Z');
  t.same(ds.extensions.documentTypeList, { version: 0, documentTypes: ['P'] });
  const ec = decodeCertificate(pemCert('trust/csca-uto-ec.pem'));
  t.ok(mayHaveIssued(ec, ds), 'EC CSCA may have issued the DS (name and key identifier)');
  t.notOk(mayHaveIssued(rsa, ds), 'RSA CSCA did not (name differs)');
  t.equal(verifySignature(ec.subjectPublicKeyInfo, ds.signatureAlgorithm, ds.tbs, ds.signatureValue).valid, true);
  t.equal(verifySignature(rsa.subjectPublicKeyInfo, ds.signatureAlgorithm, ds.tbs, ds.signatureValue).valid, false);
  t.notOk(mayActAsCa(ds));
  t.ok(isValidAt(ds.validity, new Date('2025-01-15T10:00:00Z')));
  t.notOk(isValidAt(ds.validity, new Date('2035-06-01T00:00:01Z')));
});

t.test('name matching per RFC 5280 §7.1', async (t) => {
  const n = (spec: Parameters<typeof encodeName>[0]) => parseName(parseSingle(encodeName(spec)));
  const a = n([['country', 'FI'], ['organization', 'Utopia  Government'], ['commonName', 'CSCA Utopia']]);
  const utf8 = parseName(
    parseSingle(
      der.seq(
        der.tagged(0x31, der.seq(der.oid('2.5.4.6'), der.printable('fi'))),
        der.tagged(0x31, der.seq(der.oid('2.5.4.10'), der.utf8(' utopia government '))),
        der.tagged(0x31, der.seq(der.oid('2.5.4.3'), der.utf8('CSCA UTOPIA'))),
      ),
    ),
  );
  t.ok(namesEqual(a, utf8), 'case, string type and whitespace do not matter');
  t.notOk(namesEqual(a, n([['country', 'FI'], ['organization', 'Utopia Government'], ['commonName', 'CSCA Utopia 2']])), 'different CN');
  t.notOk(namesEqual(a, n([['organization', 'Utopia Government'], ['country', 'FI'], ['commonName', 'CSCA Utopia']])), 'RDN order matters');
  t.notOk(namesEqual(a, n([['country', 'FI'], ['organization', 'Utopia Government']])), 'fewer RDNs');
  const multi1 = parseName(parseSingle(der.seq(der.set(der.seq(der.oid('2.5.4.6'), der.printable('FI')), der.seq(der.oid('2.5.4.3'), der.printable('X'))))));
  const multi2 = parseName(parseSingle(der.seq(der.tagged(0x31, [der.seq(der.oid('2.5.4.3'), der.printable('x')), der.seq(der.oid('2.5.4.6'), der.printable('fi'))]))));
  t.ok(namesEqual(multi1, multi2), 'multi-valued RDN compared as a set');
  t.equal(nameCountry(n([['commonName', 'no country']])), undefined);
  t.equal(nameCountry(n([['country', 'FI'], ['country', 'SE']])), undefined, 'two countries: none');
  t.throws(() => parseName(parseSingle(der.seq(der.set()))), ParseError, 'empty RDN');
});

t.test('builder certificates round-trip through the parser; OpenSSL agrees', async (t) => {
  const cscaPair = generateKeyPair({ type: 'ec', curve: 'brainpoolP384r1' });
  const cscaKey = nodeSigningKey(cscaPair, { hash: 'sha384', explicitParameters: true });
  const csca = buildCsca({
    key: cscaKey,
    subject: [['country', 'UT'], ['organization', 'Utopia'], ['commonName', 'CSCA UT']],
    serialNumber: 0x0123456789n,
    notBefore: new Date('2020-01-01T00:00:00Z'),
    notAfter: new Date('2051-01-01T00:00:00Z'),
    crlUri: 'http://pkd.ut.invalid/ut.crl',
  });
  const c = decodeCertificate(csca);
  t.equal(c.serialNumber.toString('hex'), '0123456789');
  t.equal(c.validity.notAfter.toISOString(), '2051-01-01T00:00:00.000Z', 'GeneralizedTime after 2049');
  t.same(c.extensions.subjectKeyIdentifier, keyIdentifier(cscaKey.spki));
  t.same(c.extensions.crlDistributionPoints, ['http://pkd.ut.invalid/ut.crl']);
  t.ok(c.subjectPublicKeyInfo.raw.equals(cscaKey.spki));
  const dsKey = nodeSigningKey(generateKeyPair({ type: 'rsa', bits: 2048 }), { hash: 'sha256', padding: 'pss' });
  const ds = decodeCertificate(
    buildDocumentSigner({
      subjectPublicKey: dsKey.spki,
      subject: [['country', 'UT'], ['commonName', 'DS Ü']],
      serialNumber: 0xff00n,
      notBefore: new Date('2024-01-01T00:00:00Z'),
      notAfter: new Date('2030-01-01T00:00:00Z'),
      issuerCertificate: csca,
      issuerKey: cscaKey,
      privateKeyUsage: { notBefore: new Date('2024-01-01T00:00:00Z'), notAfter: new Date('2024-04-01T00:00:00Z') },
      documentTypes: ['P', 'ID'],
    }),
  );
  t.equal(ds.serialNumber.toString('hex'), '00ff00', 'positive INTEGER keeps its 00');
  t.ok(serialEquals(ds.serialNumber, Buffer.from('0000ff00', 'hex')), 'redundant leading zero ignored');
  t.notOk(serialEquals(ds.serialNumber, Buffer.from('ff00', 'hex')), 'FF00 is a negative INTEGER, a different serial');
  t.equal(formatName(ds.subject), 'C=UT, CN=DS Ü');
  t.same(ds.extensions.documentTypeList?.documentTypes, ['P', 'ID']);
  t.same(ds.extensions.privateKeyUsagePeriod?.notAfter, new Date('2024-04-01T00:00:00Z'));
  t.ok(mayHaveIssued(c, ds));
  t.equal(verifySignature(c.subjectPublicKeyInfo, ds.signatureAlgorithm, ds.tbs, ds.signatureValue).valid, true);

  if (spawnSync('openssl', ['version']).status === 0) {
    const text = spawnSync('openssl', ['x509', '-noout', '-text'], { input: encodePem('CERTIFICATE', csca) }).stdout.toString();
    t.match(text, /CA:TRUE, pathlen:0/, 'OpenSSL reads basicConstraints');
    t.match(text, /Certificate Sign, CRL Sign/, 'OpenSSL reads keyUsage');
    t.match(text, /Field Type: prime-field/, 'OpenSSL reads explicit parameters');
  }
});

t.test('malformed certificates are ParseErrors', async (t) => {
  const key = nodeSigningKey(generateKeyPair({ type: 'ec', curve: 'P-256' }), { hash: 'sha256' });
  const base = {
    serialNumber: 5n,
    issuer: [['country', 'UT']] as const,
    subject: [['country', 'UT']] as const,
    notBefore: new Date('2024-01-01'),
    notAfter: new Date('2025-01-01'),
    subjectPublicKey: key.spki,
  };
  const dup = buildCertificate({ ...base, extensions: [ext.subjectKeyIdentifier(Buffer.alloc(4)), ext.subjectKeyIdentifier(Buffer.alloc(4))] }, key);
  t.throws(() => decodeCertificate(dup), ParseError, 'duplicate extension');
  const good = buildCertificate({ ...base, extensions: [ext.raw('1.2.3.4.5', true, der.null())] }, key);
  t.same(decodeCertificate(good).extensions.unhandledCritical, ['1.2.3.4.5'], 'unknown critical extension reported');
  const swapped = Buffer.from(good);
  // Change the outer signature algorithm (last AlgorithmIdentifier) so that it differs from the inner one.
  const i = swapped.lastIndexOf(Buffer.from('2a8648ce3d040302', 'hex'));
  swapped[i + 7] = 3;
  t.throws(() => decodeCertificate(swapped), ParseError, 'outer and inner algorithms differ');
  t.throws(() => decodeCertificate(Buffer.concat([good, Buffer.from([0])])), ParseError, 'trailing byte');
  t.throws(() => decodeCertificate(good.subarray(0, good.length - 1)), ParseError, 'truncated');
});

t.test('PEM: several blocks, text around them, broken blocks', async (t) => {
  const a = Buffer.from([0x30, 0x00]);
  const text = Buffer.from(`subject=x\n${encodePem('CERTIFICATE', a)}junk\n${encodePem('X509 CRL', Buffer.from([1, 2, 3]))}`);
  t.same(
    decodePem(text).map((b) => [b.label, b.der.toString('hex')]),
    [
      ['CERTIFICATE', '3000'],
      ['X509 CRL', '010203'],
    ],
  );
  t.throws(() => decodePem(Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n')), ParseError, 'unterminated');
  t.throws(() => decodePem(Buffer.from('-----BEGIN CERTIFICATE-----\nM*IB\n-----END CERTIFICATE-----')), ParseError, 'not base64');
});

t.test('property: random and mutated bytes into the certificate parser', async (t) => {
  const seeds = [pemCert('trust/csca-uto-ec.pem'), read('trust/csca-uto-rsa.der'), decodeEfSod(read('passports/genuine/EF.SOD')).certificates[0]!.raw];
  const mutated = fc.tuple(fc.constantFrom(...seeds), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }), fc.nat()).map(([b, edits, cut]) => {
    const c = Buffer.from(b);
    for (const [i, v] of edits) c[i % c.length] = v;
    return cut % 5 === 0 ? c.subarray(0, cut % c.length) : c;
  });
  fc.assert(
    fc.property(fc.oneof(mutated, fc.uint8Array({ maxLength: 300 }).map((u) => Buffer.from(u))), (b) => {
      try {
        decodeCertificate(b);
      } catch (e) {
        return e instanceof ParseError;
      }
      return true;
    }),
    { numRuns: 3000 },
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (u) => {
      try {
        decodePem(Buffer.from(u));
      } catch (e) {
        return e instanceof ParseError;
      }
      return true;
    }),
  );
  t.pass('only values or ParseErrors');
});
