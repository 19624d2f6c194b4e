import t from 'tap';
import fc from 'fast-check';
import { createHash, randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ParseError } from '../../src/errors.js';
import { bigintFromBytes, bigintToBytes } from '../../src/util/bytes.js';
import { der } from '../../src/mrtd/asn1.js';
import { parseSingle } from '../../src/mrtd/tlv.js';
import { decodeAlgorithmIdentifier, encodeSignatureAlgorithm, parsePssParameters } from '../../src/mrtd/pki/algorithm.js';
import { explicitEcSpki, generateKeyPair, nodeSigningKey, type SigningKey } from '../../src/mrtd/pki/builder.js';
import { buildSignedData } from '../../src/mrtd/pki/builder-cms.js';
import { createDocumentPki } from '../../src/mrtd/pki/builder-pki.js';
import { decodeSignedData, verifySignedData } from '../../src/mrtd/pki/cms.js';
import { curveByName, curveParameters, decodePoint, type CurveParameters } from '../../src/mrtd/pki/curves.js';
import { EC_OIDS, HASH_NAMES, type HashName } from '../../src/mrtd/pki/oids.js';
import { emsaPssEncode, emsaPssVerify } from '../../src/mrtd/pki/rsa-pss.js';
import { decodeEcdsaSignature, verifySignature, type EcdsaVerifyExplicit } from '../../src/mrtd/pki/signature.js';
import { decodeSpki } from '../../src/mrtd/pki/spki.js';

// ---- a BigInt ECDSA over explicit prime curves (test-only stand-in for the native addon) ----

type Point = readonly [bigint, bigint] | null;

function curveMath(c: CurveParameters) {
  const p = bigintFromBytes(c.p);
  const a = bigintFromBytes(c.a);
  const n = bigintFromBytes(c.n);
  const mod = (x: bigint, m = p): bigint => ((x % m) + m) % m;
  const inv = (x: bigint, m = p): bigint => {
    let [r0, r1, s0, s1] = [mod(x, m), m, 1n, 0n];
    while (r1 !== 0n) {
      const q = r0 / r1;
      [r0, r1, s0, s1] = [r1, r0 - q * r1, s1, s0 - q * s1];
    }
    return mod(s0, m);
  };
  const add = (P: Point, Q: Point): Point => {
    if (!P) return Q;
    if (!Q) return P;
    let l: bigint;
    if (P[0] === Q[0]) {
      if (mod(P[1] + Q[1]) === 0n) return null;
      l = mod((3n * P[0] * P[0] + a) * inv(2n * P[1]));
    } else l = mod((Q[1] - P[1]) * inv(Q[0] - P[0]));
    const x = mod(l * l - P[0] - Q[0]);
    return [x, mod(l * (P[0] - x) - P[1])];
  };
  const mul = (k: bigint, P: Point): Point => {
    let R: Point = null;
    let A = P;
    for (let e = k; e > 0n; e >>= 1n) {
      if (e & 1n) R = add(R, A);
      A = add(A, A);
    }
    return R;
  };
  const G: Point = [bigintFromBytes(c.gx), bigintFromBytes(c.gy)];
  const nBits = n.toString(2).length;
  const e = (digest: Buffer): bigint => {
    const d = bigintFromBytes(digest);
    const dBits = digest.length * 8;
    return dBits > nBits ? d >> BigInt(dBits - nBits) : d;
  };
  return { p, n, mod, inv, add, mul, G, e };
}

/** ECDSA verification (SEC 1 §4.1.4) with BigInt arithmetic, uncompressed points only. */
const bigEcdsaVerify: EcdsaVerifyExplicit = (c, point, digest, rb, sb) => {
  const m = curveMath(c);
  const len = c.p.length;
  if (point[0] !== 4 || point.length !== 1 + 2 * len) return false;
  const Q: Point = [bigintFromBytes(point.subarray(1, 1 + len)), bigintFromBytes(point.subarray(1 + len))];
  if (!decodePoint(point, c.p, c.a, c.b)) return false;
  const r = bigintFromBytes(rb);
  const s = bigintFromBytes(sb);
  if (r <= 0n || r >= m.n || s <= 0n || s >= m.n) return false;
  const w = m.inv(s, m.n);
  const X = m.add(m.mul(m.mod(m.e(digest) * w, m.n), m.G), m.mul(m.mod(r * w, m.n), Q));
  return X !== null && m.mod(X[0], m.n) === r;
};

/** P-256's field and order with generator 2G: a valid curve that matches no named curve. */
function customCurve(): CurveParameters {
  const base = curveParameters(curveByName('P-256')!);
  const G2 = curveMath(base).mul(2n, [bigintFromBytes(base.gx), bigintFromBytes(base.gy)])!;
  return { ...base, gx: bigintToBytes(G2[0], 32), gy: bigintToBytes(G2[1], 32) };
}

function customKey(c: CurveParameters): SigningKey & { point: Buffer } {
  const m = curveMath(c);
  const d = (bigintFromBytes(randomBytes(40)) % (m.n - 1n)) + 1n;
  const Q = m.mul(d, m.G)!;
  const point = Buffer.concat([Buffer.from([4]), bigintToBytes(Q[0], 32), bigintToBytes(Q[1], 32)]);
  const params = der.seq(
    der.int(1),
    der.seq(der.oid(EC_OIDS.primeField), der.int(c.p)),
    der.seq(der.octets(c.a), der.octets(c.b)),
    der.octets(Buffer.concat([Buffer.from([4]), c.gx, c.gy])),
    der.int(c.n),
    der.int(c.h),
  );
  return {
    point,
    spki: der.seq(der.seq(der.oid(EC_OIDS.ecPublicKey), params), der.bits(point)),
    signatureAlgorithm: encodeSignatureAlgorithm({ kind: 'ecdsa', hash: 'sha256', encoding: 'der' }),
    sign(data: Buffer): Buffer {
      const e = m.e(createHash('sha256').update(data).digest());
      for (;;) {
        const k = (bigintFromBytes(randomBytes(40)) % (m.n - 1n)) + 1n;
        const r = m.mod(m.mul(k, m.G)![0], m.n);
        const s = m.mod(m.inv(k, m.n) * (e + r * d), m.n);
        if (r !== 0n && s !== 0n) return der.seq(der.int(r), der.int(s));
      }
    },
  };
}

const data = Buffer.from('tbs bytes of some certificate');
const flip = (b: Buffer, i = b.length - 5): Buffer => {
  const c = Buffer.from(b);
  c[i] = c[i]! ^ 0x01;
  return c;
};

t.test('RSA PKCS #1 v1.5 with every SHA hash', async (t) => {
  const pair = generateKeyPair({ type: 'rsa', bits: 2048 });
  for (const hash of HASH_NAMES) {
    const key = nodeSigningKey(pair, { hash });
    const sig = key.sign(data);
    t.same(verifySignature(key.spki, key.signatureAlgorithm, data, sig), { valid: true, scheme: `RSA-PKCS1-${hash.toUpperCase()}` }, hash);
    const bad = verifySignature(key.spki, key.signatureAlgorithm, flip(data, 0), sig);
    t.equal(bad.valid, false, `${hash}: altered data`);
    t.equal(!bad.valid && bad.reason, 'signature-mismatch');
    t.equal(verifySignature(key.spki, key.signatureAlgorithm, data, flip(sig)).valid, false, `${hash}: altered signature`);
    t.equal(verifySignature(key.spki, key.signatureAlgorithm, data, sig.subarray(1)).valid, false, `${hash}: short signature`);
  }
  // rsaEncryption as signature algorithm (ICAO SignerInfo practice) needs the digest from the context.
  const icao = nodeSigningKey(pair, { hash: 'sha256', rsaEncryptionOid: true });
  const sig = icao.sign(data);
  const noHash = verifySignature(icao.spki, icao.signatureAlgorithm, data, sig);
  t.equal(!noHash.valid && noHash.reason, 'unsupported-algorithm');
  t.equal(verifySignature(icao.spki, icao.signatureAlgorithm, data, sig, { defaultHash: 'sha256' }).valid, true);
  t.equal(verifySignature(icao.spki, icao.signatureAlgorithm, data, sig, { defaultHash: 'sha1' }).valid, false, 'wrong context hash');
});

t.test('RSASSA-PSS: parameters from the AlgorithmIdentifier', async (t) => {
  const pair = generateKeyPair({ type: 'rsa', bits: 2048 });
  const cases: { hash: HashName; saltLength?: number; mgf1Hash?: HashName }[] = [
    { hash: 'sha256' },
    { hash: 'sha256', saltLength: 0 },
    { hash: 'sha384', saltLength: 48 },
    { hash: 'sha512', saltLength: 20 },
    { hash: 'sha1' },
    { hash: 'sha256', mgf1Hash: 'sha1' },
    { hash: 'sha512', mgf1Hash: 'sha256', saltLength: 32 },
  ];
  for (const c of cases) {
    const key = nodeSigningKey(pair, { padding: 'pss', ...c });
    const sig = key.sign(data);
    const name = JSON.stringify(c);
    t.equal(verifySignature(key.spki, key.signatureAlgorithm, data, sig).valid, true, name);
    t.equal(verifySignature(key.spki, key.signatureAlgorithm, flip(data, 0), sig).valid, false, `${name}: altered data`);
    // The same signature under different parameters must not verify.
    const other = encodeSignatureAlgorithm({
      kind: 'rsa-pss',
      hash: c.hash,
      pss: { hash: c.hash, mgf1Hash: c.mgf1Hash ?? c.hash, saltLength: (c.saltLength ?? 32) + 1, trailerField: 1 },
    });
    t.equal(verifySignature(key.spki, other, data, sig).valid, false, `${name}: other salt length`);
  }
  // RFC 4055 defaults: an absent parameters field means SHA-1 / MGF1-SHA-1 / salt 20.
  t.same(parsePssParameters(undefined), { hash: 'sha1', mgf1Hash: 'sha1', saltLength: 20, trailerField: 1 });
  const pssDefault = decodeAlgorithmIdentifier(der.seq(der.oid('1.2.840.113549.1.1.10'), der.seq()));
  const key = nodeSigningKey(pair, { padding: 'pss', hash: 'sha1', saltLength: 20 });
  t.equal(verifySignature(key.spki, pssDefault, data, key.sign(data)).valid, true, 'empty RSASSA-PSS-params = defaults');
  const trailer2 = encodeSignatureAlgorithm({ kind: 'rsa-pss', hash: 'sha1', pss: { hash: 'sha1', mgf1Hash: 'sha1', saltLength: 20, trailerField: 2 } });
  const r = verifySignature(key.spki, trailer2, data, key.sign(data));
  t.equal(!r.valid && r.reason, 'unsupported-algorithm', 'trailer field other than 1');
});

t.test('EMSA-PSS encode/verify round trip, and odd modulus lengths', async (t) => {
  const mHash = createHash('sha256').update(data).digest();
  for (const emBits of [1023, 1024 + 6, 2047, 3071]) {
    const params = { hash: 'sha256' as const, mgf1Hash: 'sha1' as const, saltLength: 17 };
    const em = emsaPssEncode(mHash, emBits, params, randomBytes(17));
    t.equal(em.length, Math.ceil(emBits / 8));
    t.ok(emsaPssVerify(mHash, em, emBits, params), `emBits ${emBits}`);
    t.notOk(emsaPssVerify(mHash, flip(em, 3), emBits, params), `emBits ${emBits} altered`);
    t.notOk(emsaPssVerify(mHash, em, emBits, { ...params, mgf1Hash: 'sha256' }), 'other MGF1 hash');
  }
});

const haveOpenssl = spawnSync('openssl', ['version']).status === 0;

t.test('OpenSSL cross-check: PSS with an MGF1 hash different from the message hash', { skip: haveOpenssl ? false : 'openssl command not available' }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pki-pss-'));
  t.teardown(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const pair = generateKeyPair({ type: 'rsa', bits: 2048 });
  writeFileSync(join(dir, 'key.pem'), pair.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  writeFileSync(join(dir, 'pub.pem'), pair.publicKey.export({ type: 'spki', format: 'pem' }));
  writeFileSync(join(dir, 'data'), data);
  const opts = ['-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:24', '-sigopt', 'rsa_mgf1_md:sha1'];
  // OpenSSL signs, we verify.
  const signed = spawnSync('openssl', ['dgst', '-sha256', '-sign', join(dir, 'key.pem'), ...opts, join(dir, 'data')]);
  t.equal(signed.status, 0, signed.stderr.toString());
  const alg = encodeSignatureAlgorithm({ kind: 'rsa-pss', hash: 'sha256', pss: { hash: 'sha256', mgf1Hash: 'sha1', saltLength: 24, trailerField: 1 } });
  const spki = pair.publicKey.export({ type: 'spki', format: 'der' });
  t.equal(verifySignature(spki, alg, data, signed.stdout).valid, true, 'OpenSSL signature verifies here');
  // We sign, OpenSSL verifies.
  const key = nodeSigningKey(pair, { padding: 'pss', hash: 'sha256', mgf1Hash: 'sha1', saltLength: 24 });
  writeFileSync(join(dir, 'sig'), key.sign(data));
  const verified = spawnSync('openssl', ['dgst', '-sha256', '-verify', join(dir, 'pub.pem'), ...opts, '-signature', join(dir, 'sig'), join(dir, 'data')]);
  t.equal(verified.status, 0, `OpenSSL verifies our signature: ${verified.stdout.toString()}`);
});

t.test('ECDSA over NIST and Brainpool curves, named and explicit parameters, DER and plain', async (t) => {
  const cases: [string, HashName][] = [
    ['P-256', 'sha256'],
    ['P-256', 'sha1'],
    ['P-384', 'sha384'],
    ['P-521', 'sha512'],
    ['P-224', 'sha224'],
    ['brainpoolP256r1', 'sha256'],
    ['brainpoolP384r1', 'sha384'],
    ['brainpoolP512r1', 'sha512'],
    ['brainpoolP224r1', 'sha224'],
    ['brainpoolP320r1', 'sha256'],
  ];
  for (const [curve, hash] of cases) {
    const pair = generateKeyPair({ type: 'ec', curve });
    for (const explicitParameters of [false, true]) {
      for (const ecdsaPlain of [false, true]) {
        const key = nodeSigningKey(pair, { hash, explicitParameters, ecdsaPlain });
        const name = `${curve}/${hash}${explicitParameters ? '/explicit' : ''}${ecdsaPlain ? '/plain' : ''}`;
        const spki = decodeSpki(key.spki);
        t.equal(spki.kind === 'ec' && spki.curve.type, explicitParameters ? 'explicit' : 'named', `${name}: SPKI form`);
        const sig = key.sign(data);
        t.equal(verifySignature(key.spki, key.signatureAlgorithm, data, sig).valid, true, name);
        t.equal(verifySignature(key.spki, key.signatureAlgorithm, flip(data, 0), sig).valid, false, `${name}: altered data`);
        const { r, s } = decodeEcdsaSignature(sig, ecdsaPlain ? 'plain' : 'der');
        const sPlus = bigintToBytes(bigintFromBytes(s) + 1n);
        const tampered = ecdsaPlain ? Buffer.concat([r, bigintToBytes(bigintFromBytes(s) ^ 1n, s.length)]) : der.seq(der.int(r), der.int(sPlus));
        t.equal(verifySignature(key.spki, key.signatureAlgorithm, data, tampered).valid, false, `${name}: altered s`);
      }
    }
  }
});

t.test('explicit parameters matching no named curve go to the injected verifier', async (t) => {
  const curve = customCurve();
  const key = customKey(curve);
  const k = decodeSpki(key.spki);
  t.ok(k.kind === 'ec' && k.curve.type === 'explicit' && k.curve.namedMatch === undefined, 'recognised as unnamed');
  const sig = key.sign(data);
  const without = verifySignature(key.spki, key.signatureAlgorithm, data, sig);
  t.equal(!without.valid && without.reason, 'unsupported-key', 'no verifier: unsupported, not valid');
  const calls: Buffer[] = [];
  const spy: EcdsaVerifyExplicit = (c, point, digest, r, s) => {
    calls.push(digest);
    t.ok(c.gx.equals(curve.gx) && point.equals(key.point), 'verifier gets the curve and point');
    return bigEcdsaVerify(c, point, digest, r, s);
  };
  t.equal(verifySignature(key.spki, key.signatureAlgorithm, data, sig, { ecdsaVerifyExplicit: spy }).valid, true);
  t.same(calls[0], createHash('sha256').update(data).digest(), 'full digest handed over');
  t.equal(verifySignature(key.spki, key.signatureAlgorithm, flip(data, 0), sig, { ecdsaVerifyExplicit: bigEcdsaVerify }).valid, false);
  const throwing: EcdsaVerifyExplicit = () => {
    throw new Error('addon failure');
  };
  t.equal(verifySignature(key.spki, key.signatureAlgorithm, data, sig, { ecdsaVerifyExplicit: throwing }).valid, false, 'a throwing verifier is a failed check');

  // The BigInt verifier agrees with OpenSSL on a named curve (so the stand-in is trustworthy).
  const pair = generateKeyPair({ type: 'ec', curve: 'brainpoolP256r1' });
  const nk = nodeSigningKey(pair, { hash: 'sha256' });
  const nsig = nk.sign(data);
  const point = decodeSpki(nk.spki);
  const { r, s } = decodeEcdsaSignature(nsig, 'der');
  const params = curveParameters(curveByName('brainpoolP256r1')!);
  t.ok(point.kind === 'ec' && bigEcdsaVerify(params, point.point, createHash('sha256').update(data).digest(), r, s), 'BigInt verifier accepts an OpenSSL signature');

  // CMS signed by a document signer on the unnamed curve, verified through the injected function.
  const pki = createDocumentPki({
    country: 'UT',
    cscaKey: { type: 'ec', curve: 'P-256' },
    cscaSignature: { hash: 'sha256' },
    cscaValidity: { notBefore: new Date('2020-01-01'), notAfter: new Date('2040-01-01') },
    dsKey: { type: 'ec', curve: 'P-256' },
    dsSignature: { hash: 'sha256' },
    dsValidity: { notBefore: new Date('2024-01-01'), notAfter: new Date('2030-01-01') },
  });
  const { buildDocumentSigner } = await import('../../src/mrtd/pki/builder.js');
  const dsCert = buildDocumentSigner({
    subjectPublicKey: key.spki,
    subject: [['country', 'UT'], ['commonName', 'DS custom curve']],
    serialNumber: 77n,
    notBefore: new Date('2024-01-01'),
    notAfter: new Date('2030-01-01'),
    issuerCertificate: pki.csca.certificate,
    issuerKey: pki.csca.key,
  });
  const cms = decodeSignedData(buildSignedData({ eContentType: '2.23.136.1.1.1', eContent: Buffer.from([0x30, 0]), signerCertificate: dsCert, signerKey: key, digest: 'sha256' }));
  t.equal(verifySignedData(cms).failure, 'signature-invalid', 'without the verifier');
  t.equal(verifySignedData(cms, { ecdsaVerifyExplicit: bigEcdsaVerify }).valid, true, 'with the verifier');
});

t.test('explicit parameters with a compressed generator and curves with p ≡ 1 (mod 4)', async (t) => {
  for (const name of ['P-224', 'brainpoolP256r1', 'P-521']) {
    const c = curveByName(name)!;
    const p = curveParameters(c);
    const compressed = Buffer.concat([Buffer.from([2 + (p.gy[p.gy.length - 1]! & 1)]), p.gx]);
    const g = decodePoint(compressed, p.p, p.a, p.b);
    t.ok(g?.y.equals(p.gy), `${name}: y recovered from the compressed generator`);
    t.equal(decodePoint(Buffer.concat([Buffer.from([4]), p.gx, flip(p.gy, 0)]), p.p, p.a, p.b), undefined, `${name}: off-curve point refused`);
  }
  // A key whose ECParameters carry the generator compressed still matches the named curve.
  const pair = generateKeyPair({ type: 'ec', curve: 'P-224' });
  const key = nodeSigningKey(pair, { hash: 'sha224' });
  const p = curveParameters(curveByName('P-224')!);
  const point = decodeSpki(key.spki);
  t.ok(point.kind === 'ec');
  const params = der.seq(
    der.int(1),
    der.seq(der.oid(EC_OIDS.primeField), der.int(p.p)),
    der.seq(der.octets(p.a), der.octets(p.b)),
    der.octets(Buffer.concat([Buffer.from([2 + (p.gy[p.gy.length - 1]! & 1)]), p.gx])),
    der.int(p.n),
  );
  const spki = der.seq(der.seq(der.oid(EC_OIDS.ecPublicKey), params), der.bits(point.kind === 'ec' ? point.point : Buffer.alloc(0)));
  const parsed = decodeSpki(spki);
  t.ok(parsed.kind === 'ec' && parsed.curve.type === 'explicit' && parsed.curve.namedMatch?.name === 'secp224r1', 'compressed generator, no cofactor: matched');
  t.equal(verifySignature(spki, key.signatureAlgorithm, data, key.sign(data)).valid, true);
  t.ok(explicitEcSpki(key.spki, curveByName('P-224')!).length > spki.length, 'builder writes the uncompressed generator and cofactor');
});

t.test('mismatched and unsupported algorithms are results; malformed encodings are ParseErrors', async (t) => {
  const rsa = nodeSigningKey(generateKeyPair({ type: 'rsa', bits: 2048 }), { hash: 'sha256' });
  const ec = nodeSigningKey(generateKeyPair({ type: 'ec', curve: 'P-256' }), { hash: 'sha256' });
  const r1 = verifySignature(rsa.spki, ec.signatureAlgorithm, data, ec.sign(data));
  t.equal(!r1.valid && r1.reason, 'key-mismatch');
  const r2 = verifySignature(ec.spki, rsa.signatureAlgorithm, data, rsa.sign(data));
  t.equal(!r2.valid && r2.reason, 'key-mismatch');
  const r3 = verifySignature(ec.spki, der.seq(der.oid('1.2.3.4')), data, ec.sign(data));
  t.equal(!r3.valid && r3.reason, 'unsupported-algorithm');
  t.throws(() => verifySignature(ec.spki, ec.signatureAlgorithm, data, Buffer.from('3006020101020101ff', 'hex')), ParseError, 'trailing garbage');
  t.throws(() => verifySignature(ec.spki, ec.signatureAlgorithm, data, Buffer.from('300602010102818080', 'hex')), ParseError);
  t.throws(() => verifySignature(ec.spki, ec.signatureAlgorithm, data, Buffer.from('3006020101020180', 'hex')), ParseError, 'negative s');
  const r4 = verifySignature(ec.spki, ec.signatureAlgorithm, data, der.seq(der.int(0), der.int(1)));
  t.equal(r4.valid, false, 'r = 0 is a wrong signature');
  const r5 = verifySignature(ec.spki, ec.signatureAlgorithm, data, der.seq(der.int(Buffer.alloc(40, 0x7f)), der.int(1)));
  t.equal(!r5.valid && r5.reason, 'signature-mismatch', 'r longer than the order');
  // A point that is not on the curve is a malformed key.
  const k = decodeSpki(ec.spki);
  const offCurve = Buffer.from(ec.spki);
  offCurve[offCurve.length - 1] = offCurve[offCurve.length - 1]! ^ 1;
  t.ok(k.kind === 'ec');
  t.throws(() => verifySignature(offCurve, ec.signatureAlgorithm, data, ec.sign(data)), ParseError, 'point off the curve');
  t.throws(() => decodeSpki(Buffer.from('3000', 'hex')), ParseError);
  // Unknown named curve OID: unsupported, not a crash.
  const unknownCurve = der.seq(der.seq(der.oid(EC_OIDS.ecPublicKey), der.oid('1.3.132.0.99')), der.bits(Buffer.alloc(65, 4)));
  const r6 = verifySignature(unknownCurve, ec.signatureAlgorithm, data, ec.sign(data));
  t.equal(!r6.valid && r6.reason, 'unsupported-key');
});

t.test('property: random and mutated inputs give a value or a ParseError', async (t) => {
  const ec = nodeSigningKey(generateKeyPair({ type: 'ec', curve: 'brainpoolP256r1' }), { hash: 'sha256', explicitParameters: true });
  const rsa = nodeSigningKey(generateKeyPair({ type: 'rsa', bits: 1024 }), { hash: 'sha256', padding: 'pss' });
  const seeds = [ec.spki, rsa.spki, ec.signatureAlgorithm, rsa.signatureAlgorithm, ec.sign(data)];
  const mutated = fc.tuple(fc.constantFrom(...seeds), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 })).map(([b, edits]) => {
    const c = Buffer.from(b);
    for (const [i, v] of edits) c[i % c.length] = v;
    return c;
  });
  const bytes = fc.oneof(fc.uint8Array({ maxLength: 400 }).map((u) => Buffer.from(u)), mutated);
  const ok = (f: () => unknown): boolean => {
    try {
      f();
      return true;
    } catch (e) {
      return e instanceof ParseError;
    }
  };
  fc.assert(
    fc.property(
      bytes,
      (b) =>
        ok(() => decodeSpki(b)) &&
        ok(() => decodeAlgorithmIdentifier(b)) &&
        ok(() => decodeEcdsaSignature(b, 'der')) &&
        ok(() => decodeEcdsaSignature(b, 'plain')) &&
        ok(() => parsePssParameters(parseSingle(b))),
    ),
    { numRuns: 1500 },
  );
  fc.assert(
    fc.property(bytes, bytes, (k, s) =>
      ok(() => verifySignature(k, ec.signatureAlgorithm, data, s)) && ok(() => verifySignature(ec.spki, k, data, s)) && ok(() => verifySignature(rsa.spki, rsa.signatureAlgorithm, data, s)),
    ),
    { numRuns: 500 },
  );
  t.pass('no exception other than ParseError');
});
