// PACE with Chip Authentication Mapping, the terminal's final check (ICAO 9303-11
// §4.4.3.5.2): PK_map,IC = KA(CA_IC, PK_IC, D_IC), i.e. CA_IC · PK_IC is the chip's mapping
// public key. PK_IC is the static key of EF.CardSecurity, which the caller reads through the
// PACE channel and authenticates (passive authentication) before trusting this result.
import type { MrtdNative } from '../../native/mrtd.js';
import { bigintFromBytes, equalsConstantTime, stripLeadingZeros } from '../../util/bytes.js';
import { MrtdError } from '../errors.js';
import { chipAuthenticationPublicKeys, type SecurityInfo } from '../lds/security-infos.js';
import { chipAuthenticationKey, type StaticPublicKey } from './pace-domain.js';
import type { PaceCamData } from './pace.js';

/** The static key PACE-CAM used: keyId = the PACEInfo's parameterId (§9.2.1), or the only ECDH key. */
export function paceCamKey(cardSecurityInfos: readonly SecurityInfo[], cam: Pick<PaceCamData, 'keyId'>): StaticPublicKey | undefined {
  const keys = chipAuthenticationPublicKeys(cardSecurityInfos).filter((k) => k.keyAgreement === 'ECDH');
  const byId = cam.keyId === undefined ? undefined : keys.find((k) => k.keyId === cam.keyId);
  const info = byId ?? (keys.length === 1 ? keys[0] : undefined);
  return info ? chipAuthenticationKey(info, cardSecurityInfos, 'PACE') : undefined;
}

const same = (a: Buffer, b: Buffer): boolean => equalsConstantTime(stripLeadingZeros(a), stripLeadingZeros(b));

/**
 * True when the chip proved possession of the static key: the key is on the PACE curve and
 * CA_IC · PK_IC equals PK_map,IC. A key of another domain, or an invalid point, is false.
 */
export function verifyPaceCam(cam: PaceCamData, key: StaticPublicKey, native: MrtdNative): boolean {
  const c = cam.curve;
  if (key.domain.kind !== 'EC') return false;
  const k = key.domain.curve;
  if (!same(k.p, c.p) || !same(k.a, c.a) || !same(k.b, c.b) || !same(k.gx, c.gx) || !same(k.gy, c.gy) || !same(k.n, c.n)) return false;
  const fl = stripLeadingZeros(c.p).length;
  if (key.publicKey.length !== 1 + 2 * fl || key.publicKey[0] !== 0x04) return false;
  const ca = bigintFromBytes(cam.chipAuthenticationData);
  if (ca === 0n || ca >= bigintFromBytes(c.n)) return false;
  try {
    if (!native.ecCheckPoint(c, key.publicKey)) return false;
    return equalsConstantTime(native.ecMul(c, stripLeadingZeros(cam.chipAuthenticationData), key.publicKey), cam.mappingPublicKey);
  } catch (e) {
    throw new MrtdError('PROTOCOL', 'PACE', 'PACE-CAM check failed in the crypto engine', undefined, { cause: e });
  }
}
