// Keys of a generated chip: Active Authentication (RSA or ECDSA), Chip Authentication (ECDH
// or DH over a standardized domain), the PACE-CAM static key. Each comes as the PKCS#8 PEM that
// chip.json holds and the SubjectPublicKeyInfo the LDS publishes (DG15, DG14, CardSecurity).
import { createDiffieHellman, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { bigintFromBytes, bigintToBytes } from '../../util/bytes.js';
import { InvalidArgumentError } from '../../errors.js';
import { der } from '../asn1.js';
import { OID } from '../lds/oids.js';
import { CURVE_NAMES, standardDomain } from '../params/domains.js';
import { explicitEcSpki } from '../pki/builder.js';
import { curveByName as pkiCurveByName } from '../pki/curves.js';

export interface ChipKey {
  readonly privateKeyPem: string;
  /** SubjectPublicKeyInfo, DER. */
  readonly spki: Buffer;
}

const pem = (k: KeyObject): string => k.export({ type: 'pkcs8', format: 'pem' }).toString();

export function rsaKey(bits: number): ChipKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: bits, publicExponent: 65537 });
  return { privateKeyPem: pem(privateKey), spki: publicKey.export({ type: 'spki', format: 'der' }) };
}

/** An EC key on a standardized curve; `explicit` publishes the curve's parameters in full. */
export function ecKey(curveName: string, explicit = false): ChipKey {
  const node = CURVE_NAMES.find((c) => c.name === curveName)?.openssl;
  if (!node) throw new InvalidArgumentError('curve', `one of ${CURVE_NAMES.map((c) => c.name).join(', ')}`, curveName);
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: node });
  const named = publicKey.export({ type: 'spki', format: 'der' });
  const spec = pkiCurveByName(node);
  return { privateKeyPem: pem(privateKey), spki: explicit && spec ? explicitEcSpki(named, spec) : named };
}

/**
 * A DH key in one of the RFC 5114 groups (standardized domain parameters 0–2). The SPKI uses
 * dhpublicnumber with X9.42 parameters (p, g, q) as TR-03110-3 A.1.2 / RFC 3279 §2.3.3 have it,
 * which unlike PKCS #3 carries the subgroup order.
 */
export function dhKey(parameterId: 0 | 1 | 2, random: (n: number) => Buffer = randomBytes): ChipKey {
  const d = standardDomain(parameterId);
  if (d?.kind !== 'DH') throw new InvalidArgumentError('parameterId', 'a DH group 0-2', parameterId);
  const { p, g } = d.group;
  const q = d.group.q!;
  // x uniformly in [1, q-1] (by rejection), y = g^x mod p.
  const qn = bigintFromBytes(q);
  let x = 0n;
  while (x === 0n || x >= qn) x = bigintFromBytes(random(q.length));
  const dh = createDiffieHellman(p, g);
  dh.setPrivateKey(bigintToBytes(x, q.length));
  dh.generateKeys();
  const y = dh.getPublicKey();
  const params = der.seq(der.int(p), der.int(g), der.int(q));
  const pkcs8 = der.seq(der.int(0), der.seq(der.oid(OID.dhPublicNumber), params), der.octets(der.int(bigintToBytes(x))));
  const spki = der.seq(der.seq(der.oid(OID.dhPublicNumber), params), der.bits(der.int(y)));
  const b64 = pkcs8.toString('base64').replace(/.{64}/g, '$&\n');
  return { privateKeyPem: `-----BEGIN PRIVATE KEY-----\n${b64}${b64.endsWith('\n') ? '' : '\n'}-----END PRIVATE KEY-----\n`, spki };
}
