import t from 'tap';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ParseError } from '../../src/errors.js';
import { der } from '../../src/mrtd/asn1.js';
import { children, parseSingle } from '../../src/mrtd/tlv.js';
import { parseLdsSecurityObject } from '../../src/mrtd/lds/sod-content.js';
import { buildCardSecurity, buildSignedData, buildSod } from '../../src/mrtd/pki/builder-cms.js';
import { createDocumentPki, type DocumentPki } from '../../src/mrtd/pki/builder-pki.js';
import { nodeSigningKey, type SignatureSpec } from '../../src/mrtd/pki/builder.js';
import { decodeEfSod, decodeSignedData, signedAttrsForVerification, signingTime, verifySignedData } from '../../src/mrtd/pki/cms.js';
import { formatName } from '../../src/mrtd/pki/name.js';
import { encodePem } from '../../src/mrtd/pki/pem.js';

const FIX = new URL('../fixtures/mrtd/examples/', import.meta.url);
const read = (p: string): Buffer => readFileSync(new URL(p, FIX));

const period = (a: string, b: string) => ({ notBefore: new Date(a), notAfter: new Date(b) });
function pki(dsSignature: SignatureSpec = { hash: 'sha256' }): DocumentPki {
  return createDocumentPki({
    country: 'UT',
    cscaKey: { type: 'ec', curve: 'P-384' },
    cscaSignature: { hash: 'sha384' },
    cscaValidity: period('2020-01-01', '2040-01-01'),
    dsKey: dsSignature.padding ? { type: 'rsa', bits: 2048 } : { type: 'ec', curve: 'P-256' },
    dsSignature,
    dsValidity: period('2024-01-01', '2030-01-01'),
  });
}

t.test('EF.SOD fixture: structure as encoded, and a valid signature', async (t) => {
  const sod = read('passports/genuine/EF.SOD');
  const sd = decodeEfSod(sod);
  t.equal(sd.version, 3);
  t.same(sd.digestAlgorithms.map((a) => a.oid), ['2.16.840.1.101.3.4.2.1']);
  t.equal(sd.eContentType, '2.23.136.1.1.1');
  t.equal(sd.eContent?.length, 178);
  t.equal(sd.certificates.length, 1);
  const si = sd.signerInfos[0]!;
  t.equal(si.sid.type, 'issuerAndSerialNumber');
  t.ok(si.sid.type === 'issuerAndSerialNumber' && formatName(si.sid.issuer) === 'C=FI, O=Utopia Government, CN=CSCA Utopia');
  t.equal(si.signedAttrs?.length, 3);
  t.equal(signingTime(si)?.toISOString(), '2025-01-15T10:00:00.000Z');
  const set = signedAttrsForVerification(si)!;
  t.equal(set[0], 0x31, 'signed attributes re-tagged as SET OF');
  t.equal(si.signedAttrsRaw![0], 0xa0, 'raw bytes keep their [0] tag');
  t.ok(set.subarray(1).equals(si.signedAttrsRaw!.subarray(1)));
  // eContent bytes are exactly those hashed into messageDigest.
  const md = si.signedAttrs!.find((a) => a.type === '1.2.840.113549.1.9.4')!.values[0]!.value;
  t.same(createHash('sha256').update(sd.eContent!).digest(), md);
  const v = verifySignedData(sd);
  t.equal(v.valid, true, v.detail ?? 'valid');
  t.equal(v.digestAlgorithm, 'sha256');
  t.equal(v.signature?.valid && v.signature.scheme, 'ECDSA-SHA256');
  t.equal(parseLdsSecurityObject(sd.eContent!).dataGroupHashes.length, 4, 'content parses as an LDSSecurityObject');
});

t.test('tampering: signature, content, attributes, content type', async (t) => {
  const sod = read('passports/genuine/EF.SOD');
  const sd = decodeEfSod(sod);
  const si = sd.signerInfos[0]!;
  const badSig = Buffer.from(si.signature);
  badSig[badSig.length - 3] = badSig[badSig.length - 3]! ^ 0x40;
  t.equal(verifySignedData({ ...sd, signerInfos: [{ ...si, signature: badSig }] }).failure, 'signature-invalid');
  const content = Buffer.from(sd.eContent!);
  content[content.length - 1] = content[content.length - 1]! ^ 1;
  t.equal(verifySignedData({ ...sd, eContent: content }).failure, 'message-digest-mismatch');
  t.equal(verifySignedData({ ...sd, eContentType: '2.23.136.1.1.2' }).failure, 'content-type-mismatch');
  t.equal(verifySignedData({ ...sd, certificates: [] }).failure, 'signer-certificate-not-found');
  t.equal(verifySignedData({ ...sd, signerInfos: [] }).failure, 'no-signer');
  const moved = Buffer.from(sod);
  moved.write('250116', sod.indexOf('250115100000Z'), 'latin1');
  const movedSd = decodeEfSod(moved);
  t.equal(signingTime(movedSd.signerInfos[0]!)?.toISOString(), '2025-01-16T10:00:00.000Z');
  t.equal(verifySignedData(movedSd).failure, 'signature-invalid', 'a changed signingTime breaks the signature over signedAttrs');
  const twice = { ...si, signedAttrs: [...si.signedAttrs!, si.signedAttrs![0]!] };
  t.equal(verifySignedData({ ...sd, signerInfos: [twice] }).failure, 'malformed-attributes', 'repeated attribute');
});

t.test('builder SignedData: each signer type verifies; OpenSSL cms -verify agrees', async (t) => {
  const haveOpenssl = spawnSync('openssl', ['version']).status === 0;
  const dir = mkdtempSync(join(tmpdir(), 'pki-cms-'));
  t.teardown(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const dgs = new Map([
    [1, Buffer.from('615B5F1F58', 'hex')],
    [2, Buffer.alloc(1000, 7)],
  ]);
  const cases: [string, SignatureSpec, { sid?: 'subjectKeyIdentifier'; rsaEncryptionOid?: boolean }][] = [
    ['ECDSA P-256', { hash: 'sha256' }, {}],
    ['ECDSA P-256, SKI signer identifier', { hash: 'sha256' }, { sid: 'subjectKeyIdentifier' }],
    ['RSA PKCS#1', { hash: 'sha256', padding: 'pkcs1' }, {}],
    ['RSA PKCS#1 named rsaEncryption', { hash: 'sha512', padding: 'pkcs1', rsaEncryptionOid: true }, {}],
    ['RSA-PSS', { hash: 'sha256', padding: 'pss' }, {}],
  ];
  for (const [name, sig, opts] of cases) {
    const p = pki(sig);
    const key = opts.rsaEncryptionOid ? nodeSigningKey(p.ds.keyPair, { hash: 'sha512', rsaEncryptionOid: true }) : p.ds.key;
    const sod = buildSod({
      dataGroups: dgs,
      signerCertificate: p.ds.certificate,
      signerKey: key,
      digest: sig.hash,
      ldsHash: 'sha256',
      signingTime: new Date('2025-02-01T00:00:00Z'),
      ...(opts.sid ? { sid: opts.sid } : {}),
    });
    const sd = decodeEfSod(sod);
    t.equal(sd.signerInfos[0]!.sid.type, opts.sid ?? 'issuerAndSerialNumber', `${name}: sid`);
    const v = verifySignedData(sd);
    t.equal(v.valid, true, `${name}: ${v.detail ?? 'valid'}`);
    const lso = parseLdsSecurityObject(sd.eContent!);
    t.same(lso.dataGroupHashes.map((h) => h.dataGroup), [1, 2]);
    t.same(lso.dataGroupHashes[1]!.hash, createHash('sha256').update(dgs.get(2)!).digest());
    if (haveOpenssl) {
      writeFileSync(join(dir, 'ca.pem'), encodePem('CERTIFICATE', p.csca.certificate));
      writeFileSync(join(dir, 'sod.der'), children(parseSingle(sod))[0]!.raw);
      const r = spawnSync('openssl', ['cms', '-verify', '-inform', 'DER', '-in', join(dir, 'sod.der'), '-CAfile', join(dir, 'ca.pem'), '-purpose', 'any', '-binary', '-out', join(dir, 'content')]);
      t.equal(r.status, 0, `${name}: OpenSSL verifies (${r.stderr.toString().trim()})`);
    }
  }
});

t.test('EF.CardSecurity is a bare ContentInfo; BER constructed eContent is joined', async (t) => {
  const p = pki();
  const infos = der.set(der.seq(der.oid('0.4.0.127.0.7.2.2.4.2.2'), der.int(2)));
  const cs = buildCardSecurity({ securityInfos: infos, signerCertificate: p.ds.certificate, signerKey: p.ds.key, digest: 'sha256' });
  const sd = decodeSignedData(cs);
  t.equal(sd.eContentType, '0.4.0.127.0.7.3.2.1');
  t.same(sd.eContent, infos);
  t.equal(verifySignedData(sd).valid, true);
  t.throws(() => decodeEfSod(cs), ParseError, 'CardSecurity is not wrapped in tag 77');

  // A signature made over the content; then the content re-encoded as a constructed OCTET STRING.
  const content = Buffer.from('0123456789abcdef0123456789');
  const ci = buildSignedData({ eContentType: '1.2.3.4', eContent: content, signerCertificate: p.ds.certificate, signerKey: p.ds.key, digest: 'sha256' });
  const constructed = der.explicit(0, der.tagged(0x24, [der.octets(content.subarray(0, 10)), der.octets(content.subarray(10))]));
  const sdTlv = children(children(parseSingle(ci))[1]!)[0]!;
  const parts = children(sdTlv).map((x) => x.raw);
  parts[2] = der.seq(children(parseSingle(parts[2]!))[0]!.raw, constructed);
  const reparsed = decodeSignedData(der.seq(der.oid('1.2.840.113549.1.7.2'), der.explicit(0, der.seq(...parts))));
  t.same(reparsed.eContent, content);
  t.equal(verifySignedData(reparsed).valid, true, 'messageDigest over the joined octets');
});

t.test('malformed SignedData: ParseErrors', async (t) => {
  const sod = read('passports/genuine/EF.SOD');
  t.throws(() => decodeEfSod(sod.subarray(4)), ParseError, 'no tag 77');
  t.throws(() => decodeEfSod(sod.subarray(0, 200)), ParseError, 'truncated');
  t.throws(() => decodeSignedData(der.seq(der.oid('1.2.840.113549.1.7.1'), der.explicit(0, der.octets(Buffer.alloc(2))))), ParseError, 'not signedData');
  t.throws(() => decodeEfSod(Buffer.concat([sod, Buffer.from([0])])), ParseError, 'trailing byte');
});

t.test('property: random and mutated bytes into the CMS parser and verifier', async (t) => {
  const sod = read('passports/genuine/EF.SOD');
  const mutated = fc.tuple(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }), fc.nat()).map(([edits, cut]) => {
    const c = Buffer.from(sod);
    for (const [i, v] of edits) c[i % c.length] = v;
    return cut % 7 === 0 ? c.subarray(0, cut % c.length) : c;
  });
  let verified = 0;
  fc.assert(
    fc.property(fc.oneof(mutated, fc.uint8Array({ maxLength: 400 }).map((u) => Buffer.concat([Buffer.from([0x77, 0x82, 0x01, 0x90]), u]))), (b) => {
      try {
        const sd = decodeEfSod(b);
        if (verifySignedData(sd).valid) verified++;
      } catch (e) {
        return e instanceof ParseError;
      }
      return true;
    }),
    { numRuns: 2000 },
  );
  // Some mutations land in unsigned places (e.g. the DS certificate's own signature), so a few may verify.
  t.ok(verified < 2000, 'mutations mostly break verification');
});
