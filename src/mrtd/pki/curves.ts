// Named prime curves the document PKI meets (ICAO 9303-11 §9.3 / 9303-12 §7.2 allow the NIST
// and Brainpool curves), with their domain parameters so that explicit ECParameters in a key
// (RFC 3279 §2.3.5, common in eMRTD certificates) can be recognised as a named curve, and so
// the builder can write them. Values are the published constants; each entry names its source.
import { InvalidArgumentError } from '../../errors.js';
import { bigintFromBytes, bigintToBytes, fromHex } from '../../util/bytes.js';

export interface CurveSpec {
  /** OpenSSL / Node name, as `crypto.generateKeyPairSync('ec', { namedCurve })` takes it. */
  readonly name: string;
  readonly oid: string;
  /** The common alias (P-256 for prime256v1); equal to `name` for Brainpool curves. */
  readonly alias: string;
  readonly p: string;
  readonly a: string;
  readonly b: string;
  readonly gx: string;
  readonly gy: string;
  readonly n: string;
  readonly h: number;
}

/** Explicit prime-field curve parameters as unsigned big-endian bytes (the native addon's shape). */
export interface CurveParameters {
  readonly p: Buffer;
  readonly a: Buffer;
  readonly b: Buffer;
  readonly gx: Buffer;
  readonly gy: Buffer;
  readonly n: Buffer;
  readonly h: Buffer;
}

export const NAMED_CURVES: readonly CurveSpec[] = [
  { // SEC 2 / FIPS 186-4 D.1.2.1
    name: 'prime192v1', oid: '1.2.840.10045.3.1.1', alias: 'P-192',
    p: 'FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFFFFFFFFFFFF',
    a: 'FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFFFFFFFFFFFC',
    b: '64210519E59C80E70FA7E9AB72243049FEB8DEECC146B9B1',
    gx: '188DA80EB03090F67CBF20EB43A18800F4FF0AFD82FF1012',
    gy: '07192B95FFC8DA78631011ED6B24CDD573F977A11E794811',
    n: 'FFFFFFFFFFFFFFFFFFFFFFFF99DEF836146BC9B1B4D22831',
    h: 1,
  },
  { // SEC 2 / FIPS 186-4 D.1.2.2
    name: 'secp224r1', oid: '1.3.132.0.33', alias: 'P-224',
    p: 'FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF000000000000000000000001',
    a: 'FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFE',
    b: 'B4050A850C04B3ABF54132565044B0B7D7BFD8BA270B39432355FFB4',
    gx: 'B70E0CBD6BB4BF7F321390B94A03C1D356C21122343280D6115C1D21',
    gy: 'BD376388B5F723FB4C22DFE6CD4375A05A07476444D5819985007E34',
    n: 'FFFFFFFFFFFFFFFFFFFFFFFFFFFF16A2E0B8F03E13DD29455C5C2A3D',
    h: 1,
  },
  { // SEC 2 / FIPS 186-4 D.1.2.3
    name: 'prime256v1', oid: '1.2.840.10045.3.1.7', alias: 'P-256',
    p: 'FFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF',
    a: 'FFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFC',
    b: '5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B',
    gx: '6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296',
    gy: '4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5',
    n: 'FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551',
    h: 1,
  },
  { // SEC 2 / FIPS 186-4 D.1.2.4
    name: 'secp384r1', oid: '1.3.132.0.34', alias: 'P-384',
    p: 'FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFFFF0000000000000000FFFFFFFF',
    a: 'FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFFFF0000000000000000FFFFFFFC',
    b: 'B3312FA7E23EE7E4988E056BE3F82D19181D9C6EFE8141120314088F5013875AC656398D8A2ED19D2A85C8EDD3EC2AEF',
    gx: 'AA87CA22BE8B05378EB1C71EF320AD746E1D3B628BA79B9859F741E082542A385502F25DBF55296C3A545E3872760AB7',
    gy: '3617DE4A96262C6F5D9E98BF9292DC29F8F41DBD289A147CE9DA3113B5F0B8C00A60B1CE1D7E819D7A431D7C90EA0E5F',
    n: 'FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973',
    h: 1,
  },
  { // SEC 2 / FIPS 186-4 D.1.2.5
    name: 'secp521r1', oid: '1.3.132.0.35', alias: 'P-521',
    p: '01FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF',
    a: '01FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC',
    b: '0051953EB9618E1C9A1F929A21A0B68540EEA2DA725B99B315F3B8B489918EF109E156193951EC7E937B1652C0BD3BB1BF073573DF883D2C34F1EF451FD46B503F00',
    gx: '00C6858E06B70404E9CD9E3ECB662395B4429C648139053FB521F828AF606B4D3DBAA14B5E77EFE75928FE1DC127A2FFA8DE3348B3C1856A429BF97E7E31C2E5BD66',
    gy: '011839296A789A3BC0045C8A5FB42C7D1BD998F54449579B446817AFBD17273E662C97EE72995EF42640C550B9013FAD0761353C7086A272C24088BE94769FD16650',
    n: '01FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFA51868783BF2F966B7FCC0148F709A5D03BB5C9B8899C47AEBB6FB71E91386409',
    h: 1,
  },
  { // RFC 5639 §3.2
    name: 'brainpoolP192r1', oid: '1.3.36.3.3.2.8.1.1.3', alias: 'brainpoolP192r1',
    p: 'C302F41D932A36CDA7A3463093D18DB78FCE476DE1A86297',
    a: '6A91174076B1E0E19C39C031FE8685C1CAE040E5C69A28EF',
    b: '469A28EF7C28CCA3DC721D044F4496BCCA7EF4146FBF25C9',
    gx: 'C0A0647EAAB6A48753B033C56CB0F0900A2F5C4853375FD6',
    gy: '14B690866ABD5BB88B5F4828C1490002E6773FA2FA299B8F',
    n: 'C302F41D932A36CDA7A3462F9E9E916B5BE8F1029AC4ACC1',
    h: 1,
  },
  { // RFC 5639 §3.3
    name: 'brainpoolP224r1', oid: '1.3.36.3.3.2.8.1.1.5', alias: 'brainpoolP224r1',
    p: 'D7C134AA264366862A18302575D1D787B09F075797DA89F57EC8C0FF',
    a: '68A5E62CA9CE6C1C299803A6C1530B514E182AD8B0042A59CAD29F43',
    b: '2580F63CCFE44138870713B1A92369E33E2135D266DBB372386C400B',
    gx: '0D9029AD2C7E5CF4340823B2A87DC68C9E4CE3174C1E6EFDEE12C07D',
    gy: '58AA56F772C0726F24C6B89E4ECDAC24354B9E99CAA3F6D3761402CD',
    n: 'D7C134AA264366862A18302575D0FB98D116BC4B6DDEBCA3A5A7939F',
    h: 1,
  },
  { // RFC 5639 §3.4
    name: 'brainpoolP256r1', oid: '1.3.36.3.3.2.8.1.1.7', alias: 'brainpoolP256r1',
    p: 'A9FB57DBA1EEA9BC3E660A909D838D726E3BF623D52620282013481D1F6E5377',
    a: '7D5A0975FC2C3057EEF67530417AFFE7FB8055C126DC5C6CE94A4B44F330B5D9',
    b: '26DC5C6CE94A4B44F330B5D9BBD77CBF958416295CF7E1CE6BCCDC18FF8C07B6',
    gx: '8BD2AEB9CB7E57CB2C4B482FFC81B7AFB9DE27E1E3BD23C23A4453BD9ACE3262',
    gy: '547EF835C3DAC4FD97F8461A14611DC9C27745132DED8E545C1D54C72F046997',
    n: 'A9FB57DBA1EEA9BC3E660A909D838D718C397AA3B561A6F7901E0E82974856A7',
    h: 1,
  },
  { // RFC 5639 §3.5
    name: 'brainpoolP320r1', oid: '1.3.36.3.3.2.8.1.1.9', alias: 'brainpoolP320r1',
    p: 'D35E472036BC4FB7E13C785ED201E065F98FCFA6F6F40DEF4F92B9EC7893EC28FCD412B1F1B32E27',
    a: '3EE30B568FBAB0F883CCEBD46D3F3BB8A2A73513F5EB79DA66190EB085FFA9F492F375A97D860EB4',
    b: '520883949DFDBC42D3AD198640688A6FE13F41349554B49ACC31DCCD884539816F5EB4AC8FB1F1A6',
    gx: '43BD7E9AFB53D8B85289BCC48EE5BFE6F20137D10A087EB6E7871E2A10A599C710AF8D0D39E20611',
    gy: '14FDD05545EC1CC8AB4093247F77275E0743FFED117182EAA9C77877AAAC6AC7D35245D1692E8EE1',
    n: 'D35E472036BC4FB7E13C785ED201E065F98FCFA5B68F12A32D482EC7EE8658E98691555B44C59311',
    h: 1,
  },
  { // RFC 5639 §3.6
    name: 'brainpoolP384r1', oid: '1.3.36.3.3.2.8.1.1.11', alias: 'brainpoolP384r1',
    p: '8CB91E82A3386D280F5D6F7E50E641DF152F7109ED5456B412B1DA197FB71123ACD3A729901D1A71874700133107EC53',
    a: '7BC382C63D8C150C3C72080ACE05AFA0C2BEA28E4FB22787139165EFBA91F90F8AA5814A503AD4EB04A8C7DD22CE2826',
    b: '04A8C7DD22CE28268B39B55416F0447C2FB77DE107DCD2A62E880EA53EEB62D57CB4390295DBC9943AB78696FA504C11',
    gx: '1D1C64F068CF45FFA2A63A81B7C13F6B8847A3E77EF14FE3DB7FCAFE0CBD10E8E826E03436D646AAEF87B2E247D4AF1E',
    gy: '8ABE1D7520F9C2A45CB1EB8E95CFD55262B70B29FEEC5864E19C054FF99129280E4646217791811142820341263C5315',
    n: '8CB91E82A3386D280F5D6F7E50E641DF152F7109ED5456B31F166E6CAC0425A7CF3AB6AF6B7FC3103B883202E9046565',
    h: 1,
  },
  { // RFC 5639 §3.7
    name: 'brainpoolP512r1', oid: '1.3.36.3.3.2.8.1.1.13', alias: 'brainpoolP512r1',
    p: 'AADD9DB8DBE9C48B3FD4E6AE33C9FC07CB308DB3B3C9D20ED6639CCA703308717D4D9B009BC66842AECDA12AE6A380E62881FF2F2D82C68528AA6056583A48F3',
    a: '7830A3318B603B89E2327145AC234CC594CBDD8D3DF91610A83441CAEA9863BC2DED5D5AA8253AA10A2EF1C98B9AC8B57F1117A72BF2C7B9E7C1AC4D77FC94CA',
    b: '3DF91610A83441CAEA9863BC2DED5D5AA8253AA10A2EF1C98B9AC8B57F1117A72BF2C7B9E7C1AC4D77FC94CADC083E67984050B75EBAE5DD2809BD638016F723',
    gx: '81AEE4BDD82ED9645A21322E9C4C6A9385ED9F70B5D916C1B43B62EEF4D0098EFF3B1F78E2D0D48D50D1687B93B97D5F7C6D5047406A5E688B352209BCB9F822',
    gy: '7DDE385D566332ECC0EABFA9CF7822FDF209F70024A57B1AA000C55B881F8111B2DCDE494A5F485E5BCA4BD88A2763AED1CA2B2FA8F0540678CD1E0F3AD80892',
    n: 'AADD9DB8DBE9C48B3FD4E6AE33C9FC07CB308DB3B3C9D20ED6639CCA70330870553E5C414CA92619418661197FAC10471DB1D381085DDADDB58796829CA90069',
    h: 1,
  },
];

export function curveByOid(oid: string): CurveSpec | undefined {
  return NAMED_CURVES.find((c) => c.oid === oid);
}

/** Looks a curve up by its Node name or alias (`prime256v1`, `P-256`, `brainpoolP256r1`). */
export function curveByName(name: string): CurveSpec | undefined {
  return NAMED_CURVES.find((c) => c.name === name || c.alias === name);
}

export function curveParameters(c: CurveSpec): CurveParameters {
  const len = fieldLength(c);
  return {
    p: fromHex(c.p),
    a: fromHex(c.a),
    b: fromHex(c.b),
    gx: bigintToBytes(BigInt('0x' + c.gx), len),
    gy: bigintToBytes(BigInt('0x' + c.gy), len),
    n: fromHex(c.n),
    h: bigintToBytes(BigInt(c.h)),
  };
}

/** Byte length of a field element of the curve. */
export const fieldLength = (c: CurveSpec): number => Math.ceil(BigInt('0x' + c.p).toString(2).length / 8);

/** Byte length of the group order (the length of r and s in a plain signature). */
export const orderLength = (n: Uint8Array): number => Math.ceil(bigintFromBytes(n).toString(2).length / 8);

/**
 * The named curve whose parameters equal these explicit ones, if any. Comparison is on values
 * (leading zeros do not matter); the cofactor may be absent in ECParameters, then it is not compared.
 */
export function matchNamedCurve(params: CurveParameters, cofactorPresent: boolean): CurveSpec | undefined {
  const v = (b: Uint8Array): bigint => bigintFromBytes(b);
  return NAMED_CURVES.find(
    (c) =>
      BigInt('0x' + c.p) === v(params.p) &&
      BigInt('0x' + c.a) === v(params.a) &&
      BigInt('0x' + c.b) === v(params.b) &&
      BigInt('0x' + c.gx) === v(params.gx) &&
      BigInt('0x' + c.gy) === v(params.gy) &&
      BigInt('0x' + c.n) === v(params.n) &&
      (!cofactorPresent || BigInt(c.h) === v(params.h)),
  );
}

// ---- prime-field arithmetic for point decompression (SEC 1 v2 §2.3.4) ----

const mod = (x: bigint, p: bigint): bigint => ((x % p) + p) % p;

export function modPow(base: bigint, exp: bigint, p: bigint): bigint {
  let result = 1n;
  let b = mod(base, p);
  let e = exp;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % p;
    b = (b * b) % p;
    e >>= 1n;
  }
  return result;
}

/** A square root modulo an odd prime p (Tonelli–Shanks), or undefined when x is not a square. */
export function modSqrt(x: bigint, p: bigint): bigint | undefined {
  const a = mod(x, p);
  if (a === 0n) return 0n;
  if (modPow(a, (p - 1n) / 2n, p) !== 1n) return undefined;
  if (p % 4n === 3n) return modPow(a, (p + 1n) / 4n, p);
  let q = p - 1n;
  let s = 0n;
  while ((q & 1n) === 0n) {
    q >>= 1n;
    s++;
  }
  let z = 2n;
  // For a prime p the least non-residue is tiny in practice (11 for P-224); the bound keeps a
  // hostile non-prime p from costing seconds of modular exponentiations.
  while (modPow(z, (p - 1n) / 2n, p) !== p - 1n) {
    z++;
    if (z > 1000n) return undefined;
  }
  let m = s;
  let c = modPow(z, q, p);
  let t = modPow(a, q, p);
  let r = modPow(a, (q + 1n) / 2n, p);
  while (t !== 1n) {
    let i = 0n;
    let t2 = t;
    while (t2 !== 1n) {
      t2 = (t2 * t2) % p;
      i++;
      if (i === m) return undefined;
    }
    const bb = modPow(c, 1n << (m - i - 1n), p);
    m = i;
    c = (bb * bb) % p;
    t = (t * c) % p;
    r = (r * bb) % p;
  }
  return r;
}

/**
 * Decodes an uncompressed (04) or compressed (02/03) point on y² = x³ + ax + b over GF(p) into
 * fixed-length coordinates. Returns undefined for a malformed or off-curve encoding.
 */
export function decodePoint(point: Uint8Array, p: Uint8Array, a: Uint8Array, b: Uint8Array): { x: Buffer; y: Buffer } | undefined {
  const P = bigintFromBytes(p);
  if (P < 3n) return undefined;
  const len = Math.ceil(P.toString(2).length / 8);
  const A = bigintFromBytes(a);
  const B = bigintFromBytes(b);
  const first = point[0];
  let x: bigint;
  let y: bigint;
  if (first === 0x04 && point.length === 1 + 2 * len) {
    x = bigintFromBytes(point.subarray(1, 1 + len));
    y = bigintFromBytes(point.subarray(1 + len));
  } else if ((first === 0x02 || first === 0x03) && point.length === 1 + len) {
    x = bigintFromBytes(point.subarray(1));
    if (x >= P) return undefined;
    const root = modSqrt(x * x * x + A * x + B, P);
    if (root === undefined) return undefined;
    y = (root & 1n) === BigInt(first & 1) ? root : mod(-root, P);
  } else return undefined;
  if (x >= P || y >= P) return undefined;
  if (mod(y * y - (x * x * x + A * x + B), P) !== 0n) return undefined;
  return { x: bigintToBytes(x, len), y: bigintToBytes(y, len) };
}

/** Uncompressed SEC 1 encoding of a point given fixed-length coordinates. */
export function encodePoint(x: Uint8Array, y: Uint8Array): Buffer {
  if (x.length !== y.length) throw new InvalidArgumentError('point', 'coordinates of equal length', x.length);
  return Buffer.concat([Buffer.from([0x04]), x, y]);
}
