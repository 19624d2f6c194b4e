// native/mrtd against published vectors (ICAO 9303-11 Appendix D and G.1, RFC 4493) and
// against Node's own OpenSSL bindings where both can compute the same thing.
import t from 'tap';
import { createHash, createPublicKey, createPrivateKey, generateKeyPairSync, sign as nodeSign, verify as nodeVerify, createCipheriv } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { MrtdNative } from '../../src/native/mrtd.js';
import { NativeError, InvalidArgumentError } from '../../src/errors.js';
import { fromHex, toHex, bigintFromBytes, bigintToBytes } from '../../src/util/bytes.js';
import { curveByName, standardDomain } from '../../src/mrtd/params/domains.js';
import { der } from '../../src/mrtd/asn1.js';

const native = new MrtdNative();
const icao = JSON.parse(readFileSync(new URL('../fixtures/mrtd/icao-worked-examples.json', import.meta.url), 'utf8')) as {
  vectors: { id: string; inputs?: Record<string, string>; expected?: Record<string, string>; keys?: Record<string, string>; steps?: Record<string, string>[] }[];
};
const vector = (id: string) => icao.vectors.find((v) => v.id === id)!;
const pad = (b: Buffer, block = 8): Buffer => {
  const n = block - ((b.length + 1) % block === 0 ? block : (b.length + 1) % block);
  return Buffer.concat([b, Buffer.from([0x80]), Buffer.alloc(n % block)]);
};

t.test('retail MAC and 3DES: ICAO 9303-11 Appendix D (BAC)', async (t) => {
  const v = vector('bac.part11.appendixD');
  const e = v.expected!;
  const eIfd = native.tdesCbc(fromHex(e.K_enc!), Buffer.alloc(8), fromHex(e.S!), true);
  t.equal(toHex(eIfd), e.E_IFD);
  t.equal(toHex(native.retailMac(fromHex(e.K_mac!), pad(eIfd))), e.M_IFD);
  t.equal(toHex(native.tdesCbc(fromHex(e.K_enc!), Buffer.alloc(8), fromHex(e.E_IC!), false)), e.R);
  t.equal(toHex(native.retailMac(fromHex(e.K_mac!), pad(fromHex(e.E_IC!)))), e.M_IC);
});

t.test('retail MAC: ICAO 9303-11 Appendix D.4 secure messaging MACs', async (t) => {
  const v = vector('sm.3des.part11.appendixD4');
  const ksMac = fromHex(v.keys!.KS_mac!);
  for (const s of v.steps!) {
    // The example prints some MAC inputs already padded (ending 80 00..) and some not.
    const input = (hex: string): Buffer => (hex.length % 16 === 0 && /80(00)*$/.test(hex) ? fromHex(hex) : pad(fromHex(hex)));
    t.equal(toHex(native.retailMac(ksMac, input(s.N!))), s.CC, `${s.name} command MAC`);
    t.equal(toHex(native.retailMac(ksMac, input(s.K!))), s.CC_resp, `${s.name} response MAC`);
  }
});

t.test('3DES-CBC agrees with Node for two- and three-key 3DES', async (t) => {
  fc.assert(fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.uint8Array({ minLength: 8, maxLength: 8 }), fc.integer({ min: 1, max: 8 }), (key, iv, blocks) => {
    const data = Buffer.alloc(blocks * 8, 0x5a);
    const c = createCipheriv('des-ede-cbc', key, iv).setAutoPadding(false);
    const want = Buffer.concat([c.update(data), c.final()]);
    const got = native.tdesCbc(Buffer.from(key), Buffer.from(iv), data, true);
    return want.equals(got) && native.tdesCbc(Buffer.from(key), Buffer.from(iv), got, false).equals(data);
  }), { numRuns: 50 });
  t.pass('agrees');
});

t.test('AES-CMAC: RFC 4493 §4 examples', async (t) => {
  const key = fromHex('2b7e151628aed2a6abf7158809cf4f3c');
  t.equal(toHex(native.aesCmac(key, Buffer.alloc(0))), 'BB1D6929E95937287FA37D129B756746');
  t.equal(toHex(native.aesCmac(key, fromHex('6bc1bee22e409f96e93d7e117393172a'))), '070A16B46B4D4144F79BDD9DD04A287C');
  t.equal(
    toHex(native.aesCmac(key, fromHex('6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411'))),
    'DFA66747DE9AE63030CA32611497C827',
  );
});

t.test('EC: PACE generic mapping, ICAO 9303-11 Appendix G.1', async (t) => {
  const v = vector('pace.ecdh_gm.part11.appendixG1');
  const i = v.inputs!, e = v.expected!;
  const c = curveByName('brainpoolP256r1')!;
  t.equal(toHex(native.ecMul(c, fromHex(i.SK_map_IFD!))), e.PK_map_IFD, 'PK_map_IFD = SK·G');
  const h = native.ecMul(c, fromHex(i.SK_map_IFD!), fromHex(e.PK_map_IC!));
  t.equal(toHex(h), e.H_shared_point, 'H = SK_map_IFD·PK_map_IC');
  const g2 = native.ecAdd(c, native.ecMul(c, fromHex(e.nonce_s!)), h);
  t.equal(toHex(g2), e.G_mapped, 'G~ = s·G + H');
  const mapped = { ...c, gx: g2.subarray(1, 33), gy: g2.subarray(33) };
  t.equal(toHex(native.ecMul(mapped, fromHex(i.SK_DH_IFD!))), e.PK_DH_IFD, 'PK_DH_IFD = SK·G~');
  const k = native.ecMul(mapped, fromHex(i.SK_DH_IFD!), fromHex(e.PK_DH_IC!));
  t.equal(toHex(k.subarray(1, 33)), e.K_shared_secret_x, 'shared secret x');
  t.ok(native.ecCheckPoint(c, fromHex(e.PK_map_IC!)));
  const bad = Buffer.from(fromHex(e.PK_map_IC!));
  bad[40]! ^= 1;
  t.notOk(native.ecCheckPoint(c, bad), 'a point off the curve is refused');
  t.throws(() => native.ecMul(c, Buffer.from([1]), bad), NativeError);
});

t.test('EC: integrated-mapping point encoding lands on the curve, deterministically', async (t) => {
  for (const name of ['brainpoolP256r1', 'NIST P-256', 'brainpoolP384r1', 'NIST P-521']) {
    const c = curveByName(name)!;
    const x = createHash('sha512').update(name).digest().subarray(0, c.p.length);
    const p1 = native.ecMapIntegrated(c, x);
    t.ok(native.ecCheckPoint(c, p1), `${name}: on the curve`);
    t.same(native.ecMapIntegrated(c, x), p1, `${name}: deterministic`);
  }
  t.throws(() => native.ecMapIntegrated(curveByName('NIST P-256')!, Buffer.from([0])), NativeError, 't = 0 has no image');
});

t.test('ECDSA: native and Node verify each other (brainpool, NIST)', async (t) => {
  const named: [string, string][] = [['brainpoolP256r1', '1.3.36.3.3.2.8.1.1.7'], ['NIST P-256', '1.2.840.10045.3.1.7'], ['NIST P-384', '1.3.132.0.34'], ['brainpoolP512r1', '1.3.36.3.3.2.8.1.1.13']];
  for (const [name, oid] of named) {
    const c = curveByName(name)!;
    // A key pair made here, handed to Node as SEC 1 DER (Node's JWK has no brainpool).
    const d = createHash('sha512').update(`key ${name}`).digest().subarray(0, c.n.length - 1);
    const q = native.ecMul(c, d);
    const sec1 = der.seq(der.int(1), der.octets(d), der.explicit(0, der.oid(oid)), der.explicit(1, der.bits(q)));
    const privateKey = createPrivateKey({ key: sec1, format: 'der', type: 'sec1' });
    const publicKey = createPublicKey(privateKey);
    const msg = Buffer.from(`message for ${name}`);
    const digest = createHash('sha256').update(msg).digest();
    const { r, s } = native.ecdsaSign(c, d, digest);
    t.ok(nodeVerify('sha256', msg, { key: publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.concat([r, s])), `${name}: Node verifies native`);
    const sig = nodeSign('sha256', msg, { key: privateKey, dsaEncoding: 'ieee-p1363' });
    const half = sig.length / 2;
    t.ok(native.ecdsaVerify(c, q, digest, sig.subarray(0, half), sig.subarray(half)), `${name}: native verifies Node`);
    t.notOk(native.ecdsaVerify(c, q, createHash('sha256').update('other').digest(), r, s), `${name}: wrong digest fails`);
    t.notOk(native.ecdsaVerify(c, q, digest, Buffer.alloc(r.length), s), `${name}: r = 0 fails`);
  }
});

t.test('modExp / modMul agree with BigInt, and DH groups are consistent (g^q = 1)', async (t) => {
  for (const id of [0, 1, 2]) {
    const d = standardDomain(id)!;
    if (d.kind !== 'DH') throw new Error('expected DH');
    const one = native.modExp(d.group.g, d.group.q!, d.group.p);
    t.equal(bigintFromBytes(one), 1n, `group ${id}: g^q = 1 mod p`);
  }
  fc.assert(fc.property(fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }), fc.bigInt({ min: 0n, max: (1n << 64n) }), fc.bigInt({ min: 3n, max: (1n << 256n) - 1n }), (b, e, m) => {
    let r = 1n, x = b % m, k = e;
    while (k > 0n) { if (k & 1n) r = (r * x) % m; x = (x * x) % m; k >>= 1n; }
    const got = bigintFromBytes(native.modExp(bigintToBytes(b), bigintToBytes(e), bigintToBytes(m)));
    const mul = bigintFromBytes(native.modMul(bigintToBytes(b), bigintToBytes(e), bigintToBytes(m)));
    return got === r && mul === (b * e) % m;
  }), { numRuns: 100 });
  t.pass('agrees');
});

t.test('ISO/IEC 9796-2 scheme 1: sign by representative + RSA, recover', async (t) => {
  for (const [bits, hash, implicit] of [[1024, 'sha1', true], [1024, 'sha256', false], [2048, 'sha512', false], [1536, 'sha224', false], [2048, 'sha384', false]] as const) {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: bits, publicExponent: 65537 });
    const jwk = privateKey.export({ format: 'jwk' });
    const n = Buffer.from(jwk.n!, 'base64url'), e = Buffer.from(jwk.e!, 'base64url'), d = Buffer.from(jwk.d!, 'base64url');
    const hlen = createHash(hash).digest().length;
    const cap = native.iso9796Capacity(bits, hlen, implicit);
    const m1 = Buffer.alloc(cap, 0x42), m2 = fromHex('0102030405060708');
    const digest = createHash(hash).update(Buffer.concat([m1, m2])).digest();
    const f = native.iso9796Encode(bits, m1, digest, hash, implicit, true);
    t.equal(f.length, bits / 8);
    const sig = native.modExp(f, d, n, true);
    const rec = native.iso9796Recover(n, e, sig);
    t.same([rec.m1, rec.digest, rec.hash, rec.partial, rec.implicit], [m1, digest, hash, true, implicit], `${bits} ${hash}`);
    // The "min(s, n - s)" convention: n - s verifies too.
    const alt = bigintToBytes(bigintFromBytes(n) - bigintFromBytes(sig), n.length);
    t.same(native.iso9796Recover(n, e, alt).digest, digest, `${bits} ${hash}: n - s`);
    const tampered = Buffer.from(sig);
    tampered[10]! ^= 0x80;
    t.throws(() => native.iso9796Recover(n, e, tampered), NativeError, 'a tampered signature does not parse');
  }
  // Node's own RSA (PKCS#1 keys) cross-check of the raw operation: privateKey from PEM works too.
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
  t.ok(createPrivateKey(privateKey.export({ format: 'pem', type: 'pkcs8' })).asymmetricKeyType === 'rsa');
  t.ok(createPublicKey(privateKey).asymmetricKeyType === 'rsa');
});

t.test('abuse without crashing: wrong types and sizes give typed errors', async (t) => {
  const c = curveByName('NIST P-256')!;
  t.throws(() => native.retailMac(Buffer.alloc(15), Buffer.alloc(8)), InvalidArgumentError);
  t.throws(() => native.tdesCbc(Buffer.alloc(16), Buffer.alloc(8), Buffer.alloc(7), true), InvalidArgumentError);
  t.throws(() => native.aesCmac(Buffer.alloc(17), Buffer.alloc(1)), InvalidArgumentError);
  t.throws(() => native.ecMul({ ...c, p: Buffer.alloc(0) }, Buffer.from([1])), NativeError);
  t.throws(() => native.ecMul({ ...c, p: Buffer.alloc(4096, 0xff) }, Buffer.from([1])), NativeError);
  t.throws(() => native.modExp(Buffer.from([2]), Buffer.from([2]), Buffer.alloc(2000, 0xff)), NativeError);
  t.throws(() => native.modExp(Buffer.from([2]), Buffer.from([2]), Buffer.from([0])), NativeError);
  t.throws(() => native.iso9796Recover(Buffer.from([0x80, 0x01]), Buffer.from([3]), Buffer.from([1])), NativeError);
  t.throws(() => new MrtdNative({}), InvalidArgumentError);
  fc.assert(fc.property(fc.uint8Array({ maxLength: 140 }), (bytes) => {
    try {
      return typeof native.ecCheckPoint(c, Buffer.from(bytes)) === 'boolean';
    } catch (e) {
      return e instanceof NativeError;
    }
  }), { numRuns: 300 });
});
