import t from 'tap';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { ParseError } from '../../src/errors.js';
import { buildCrl } from '../../src/mrtd/pki/builder.js';
import { createDocumentPki } from '../../src/mrtd/pki/builder-pki.js';
import { decodeCrl, findRevocation, verifyCrl } from '../../src/mrtd/pki/crl.js';
import { formatName } from '../../src/mrtd/pki/name.js';
import { decodePem, encodePem } from '../../src/mrtd/pki/pem.js';
import { decodeCertificate } from '../../src/mrtd/pki/x509.js';

const FIX = new URL('../fixtures/mrtd/examples/trust/', import.meta.url);
const read = (p: string): Buffer => readFileSync(new URL(p, FIX));
const ecCsca = decodeCertificate(decodePem(read('csca-uto-ec.pem'))[0]!.der);
const rsaCsca = decodeCertificate(read('csca-uto-rsa.der'));
const xyzCsca = decodeCertificate(read('csca-xyz.cer'));

t.test('fixture CRLs: fields, revoked entry, issuer verification', async (t) => {
  const crl = decodeCrl(read('csca-uto-ec.crl'));
  t.equal(crl.version, 2);
  t.equal(formatName(crl.issuer), 'C=FI, O=Utopia Government, CN=CSCA Utopia');
  t.equal(crl.thisUpdate.toISOString(), '2025-06-01T00:00:00.000Z');
  t.equal(crl.nextUpdate?.toISOString(), '2040-01-01T00:00:00.000Z');
  t.equal(crl.crlNumber, 7n);
  t.equal(crl.authorityKeyIdentifier?.toString('hex'), 'a3309b08a6fe083e6896493aaa804828abef95e9');
  t.equal(crl.revoked.length, 1);
  const entry = findRevocation(crl, Buffer.from('012F273386FDF98093E8EFC6', 'hex'));
  t.equal(entry?.revocationDate.toISOString(), '2025-01-10T00:00:00.000Z');
  t.equal(entry?.reason, 'keyCompromise');
  t.equal(findRevocation(crl, Buffer.from('30DB37E76BEEC69E95470D87', 'hex')), undefined, 'the genuine DS is not revoked');
  t.same(verifyCrl(crl, ecCsca), { valid: true });
  t.equal(verifyCrl(crl, xyzCsca).valid, false, 'another CSCA');
  const rsaCrl = decodeCrl(decodePem(read('csca-uto-rsa.crl'))[0]!.der);
  t.equal(rsaCrl.revoked.length, 0);
  t.equal(rsaCrl.crlNumber, 3n);
  t.same(verifyCrl(rsaCrl, rsaCsca), { valid: true });
  t.same(verifyCrl(decodeCrl(read('csca-xyz.crl')), xyzCsca), { valid: true });
  const wrong = verifyCrl(rsaCrl, ecCsca);
  t.equal(!wrong.valid && wrong.reason, 'issuer-mismatch');
});

t.test('builder CRLs round-trip, verify, and fail when altered', async (t) => {
  const pki = createDocumentPki({
    country: 'UT',
    cscaKey: { type: 'rsa', bits: 2048 },
    cscaSignature: { hash: 'sha256', padding: 'pss' },
    cscaValidity: { notBefore: new Date('2020-01-01'), notAfter: new Date('2040-01-01') },
    dsKey: { type: 'ec', curve: 'P-256' },
    dsSignature: { hash: 'sha256' },
    dsValidity: { notBefore: new Date('2024-01-01'), notAfter: new Date('2030-01-01') },
  });
  const der = buildCrl({
    issuerCertificate: pki.csca.certificate,
    issuerKey: pki.csca.key,
    thisUpdate: new Date('2025-01-01T00:00:00Z'),
    nextUpdate: new Date('2025-07-01T00:00:00Z'),
    crlNumber: 300n,
    revoked: [
      { serialNumber: 0x1001n, revocationDate: new Date('2024-12-24T12:00:00Z'), reason: 'keyCompromise' },
      { serialNumber: 0x80n, revocationDate: new Date('2024-11-01T00:00:00Z') },
    ],
  });
  const crl = decodeCrl(der);
  t.equal(crl.crlNumber, 300n);
  t.equal(crl.revoked.length, 2);
  t.equal(findRevocation(crl, Buffer.from('1001', 'hex'))?.reason, 'keyCompromise');
  t.equal(findRevocation(crl, Buffer.from('0080', 'hex'))?.reason, undefined);
  const csca = decodeCertificate(pki.csca.certificate);
  t.same(verifyCrl(crl, csca), { valid: true });
  const tampered = Buffer.from(der);
  tampered[der.indexOf(Buffer.from('1001', 'hex'))] = 0x11;
  const bad = verifyCrl(decodeCrl(tampered), csca);
  t.equal(!bad.valid && bad.reason, 'signature', 'altered entry breaks the signature');
  // An empty CRL omits revokedCertificates entirely (RFC 5280 §5.1.2.6).
  const empty = decodeCrl(buildCrl({ issuerCertificate: pki.csca.certificate, issuerKey: pki.csca.key, thisUpdate: new Date('2025-01-01') }));
  t.equal(empty.revoked.length, 0);
  t.equal(empty.nextUpdate, undefined);

  if (spawnSync('openssl', ['version']).status === 0) {
    const out = spawnSync('openssl', ['crl', '-noout', '-text'], { input: encodePem('X509 CRL', der) }).stdout.toString();
    t.match(out, /Key Compromise/, 'OpenSSL reads the reason code');
    t.match(out, /X509v3 CRL Number:\s+300/, 'OpenSSL reads the CRL number');
  }
});

t.test('malformed CRLs are ParseErrors', async (t) => {
  const der = read('csca-uto-ec.crl');
  t.throws(() => decodeCrl(der.subarray(0, der.length - 2)), ParseError);
  t.throws(() => decodeCrl(Buffer.concat([der, Buffer.from([0])])), ParseError);
  const v3 = Buffer.from(der);
  // 30 82 01 28 | 30 81 CE | 02 01 01 → version 3 (02 01 02) is not a CRL version.
  v3[9] = 2;
  t.throws(() => decodeCrl(v3), ParseError, 'version 3');
});

t.test('property: random and mutated bytes into the CRL parser', async (t) => {
  const seeds = [read('csca-uto-ec.crl'), decodePem(read('csca-uto-rsa.crl'))[0]!.der, read('csca-xyz.crl')];
  const mutated = fc.tuple(fc.constantFrom(...seeds), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 })).map(([b, edits]) => {
    const c = Buffer.from(b);
    for (const [i, v] of edits) c[i % c.length] = v;
    return c;
  });
  fc.assert(
    fc.property(fc.oneof(mutated, fc.uint8Array({ maxLength: 300 }).map((u) => Buffer.from(u))), (b) => {
      try {
        const crl = decodeCrl(b);
        verifyCrl(crl, ecCsca);
      } catch (e) {
        return e instanceof ParseError;
      }
      return true;
    }),
    { numRuns: 3000 },
  );
  t.pass('only values or ParseErrors');
});
