// PACE, terminal side (ICAO 9303-11 §4.4, §9.2–§9.7; BSI TR-03110-2 §3.2, TR-03110-3):
// MSE:Set AT, then a chain of four GENERAL AUTHENTICATE commands (encrypted nonce, mapping,
// key agreement, mutual authentication). Generic, integrated and chip-authentication
// mappings over ECDH and DH, every standardized domain and explicit ones.
// Randomness (CONFORMANCE.md): GM and CAM draw the mapping private key, then the ephemeral
// private key; IM draws the nonce t (the cipher's key size: 16/16/24/32 bytes), then the
// ephemeral private key. A private key is a draw of the group order's byte length.
// A failure is an MrtdError with step 'PACE'; nothing here falls back to another protocol.
import type { MrtdNative } from '../../native/mrtd.js';
import { equalsConstantTime } from '../../util/bytes.js';
import { needsExtended, StatusWord, type CommandApdu, type OpOptions, type Transceiver } from '../apdu.js';
import { send, sendOk, type RandomSource } from '../card.js';
import { MrtdError, isMrtdError } from '../errors.js';
import { keyAgreementProtocol, type KeyAgreementProtocolInfo } from '../lds/oids.js';
import type { PaceDomainParameterInfo } from '../lds/security-infos.js';
import type { EcCurve } from '../../native/mrtd.js';
import { SecureChannel } from '../sm/channel.js';
import { blockLength, deriveSessionKeys, type SessionKeys, type SmCipher } from '../sm/keys.js';
import { ParseError } from '../../errors.js';
import {
  authToken,
  cbc,
  decryptCamData,
  imNonceLength,
  nonceLength,
  passwordKey,
  PASSWORD_REFERENCE,
  pseudoRandomMod,
  type PacePassword,
} from './pace-crypto.js';
import { paceDomain } from './pace-domain.js';
import { drawPrivateKey, ecCurveOfGroup, kaGroup, type KaGroup } from './pace-group.js';
import { dynamicAuthenticationData, mseSetAtData, parseDynamicAuthenticationData } from './pace-messages.js';

export type { PacePassword } from './pace-crypto.js';

/** What PACE needs from EF.CardAccess: a PACEInfo's protocol OID and parameter id. */
export interface PaceInfoLike {
  readonly protocol: string;
  readonly parameterId?: number;
}

export interface PaceOptions extends OpOptions {
  /** PACEDomainParameterInfos of EF.CardAccess, for chips with explicit domain parameters. */
  readonly domainParameterInfos?: readonly PaceDomainParameterInfo[];
  /**
   * Use explicit domain parameters that are not a standardized domain. Off by default:
   * §9.2.2 forbids parameters not known to be secure (weak ones leak the password).
   */
  readonly trustExplicitDomainParameters?: boolean;
  /**
   * Send DO84 (the parameter id) in MSE:Set AT. Default: whenever the PACEInfo has an id
   * (§4.4.4.1 makes it conditional; chips accept it either way).
   */
  readonly sendParameterId?: boolean;
}

/** PACE-CAM's chip authentication data, to check once EF.CardSecurity is authenticated. */
export interface PaceCamData {
  /** A_IC as received (DO8A). */
  readonly encryptedChipAuthenticationData: Buffer;
  /** CA_IC = SK_IC^-1 · SK_map,IC mod n (§4.4.3.5.1), decrypted. */
  readonly chipAuthenticationData: Buffer;
  /** PK_map,IC, the chip's mapping public key of step 2. */
  readonly mappingPublicKey: Buffer;
  /** The PACE curve (the static key must be on it). */
  readonly curve: EcCurve;
  /** The parameter id, which §9.2.1 makes the keyId of the chip's static key. */
  readonly keyId?: number;
}

export interface PaceResult {
  readonly protocol: 'PACE';
  /** e.g. 'ECDH-GM-AES-128', 'DH-IM-3DES', 'ECDH-CAM-AES-256' (CONFORMANCE.md access.variant). */
  readonly variant: string;
  readonly password: 'MRZ' | 'CAN';
  readonly oid: string;
  readonly parameterId?: number;
  /** Session keys with the send sequence counter at zero (§9.8.6.3 / §9.8.7.3). */
  readonly keys: SessionKeys;
  readonly channel: SecureChannel;
  readonly chipEphemeralPublicKey: Buffer;
  readonly cam?: PaceCamData;
}

/** The CONFORMANCE.md name of a PACE suite. */
export const paceVariant = (s: KeyAgreementProtocolInfo): string => `${s.keyAgreement}-${s.mapping ?? 'GM'}-${s.cipher}`;

const CLA_CHAIN = 0x10;

interface Ctx {
  readonly native: MrtdNative;
  readonly random: RandomSource;
}

/** Runs a parse of chip data; a ParseError becomes PROTOCOL so the caller sees one error type. */
function parsed<T>(what: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof ParseError) throw new MrtdError('PROTOCOL', 'PACE', `${what} does not parse`, undefined, { cause: e });
    throw e;
  }
}

/** One GENERAL AUTHENTICATE of the chain (§4.4.4.2); returns the response's data objects. */
async function generalAuthenticate(card: Transceiver, data: Buffer, last: boolean, what: string, options: OpOptions | undefined): Promise<Map<number, Buffer>> {
  const base: CommandApdu = { cla: last ? 0x00 : CLA_CHAIN, ins: 0x86, p1: 0, p2: 0, data, ne: 256 };
  // Large DH values need extended length (§9.3.1.2 allows it for GENERAL AUTHENTICATE).
  const apdu: CommandApdu = needsExtended(base) ? { ...base, ne: 65536 } : base;
  const r = await send(card, apdu, `PACE.${what}`, options);
  if (r.sw !== (StatusWord.OK as number)) {
    throw new MrtdError(r.sw === (StatusWord.AUTHENTICATION_FAILED as number) ? 'AUTH_FAILED' : 'STATUS', 'PACE', `${what} refused`, r.sw);
  }
  return parsed(`${what} response`, () => parseDynamicAuthenticationData(r.data, `PACE ${what}`));
}

function need(dos: Map<number, Buffer>, tag: number, what: string): Buffer {
  const v = dos.get(tag);
  if (v === undefined) throw new MrtdError('PROTOCOL', 'PACE', `${what}: data object ${tag.toString(16)} missing`);
  return v;
}

/** Performs PACE with the chip and returns the secure channel it establishes. */
export async function performPace(
  card: Transceiver,
  password: PacePassword,
  paceInfo: PaceInfoLike,
  ctx: Ctx,
  options: PaceOptions = {},
): Promise<PaceResult> {
  const suite = keyAgreementProtocol(paceInfo.protocol);
  if (suite?.protocol !== 'PACE') throw new MrtdError('UNSUPPORTED', 'PACE', 'not a PACE protocol OID');
  const mapping = suite.mapping ?? 'GM';
  const cipher = suite.cipher;
  const { domain } = paceDomain(paceInfo.parameterId, suite.keyAgreement, options.domainParameterInfos ?? [], options.trustExplicitDomainParameters === true);
  const group = kaGroup(domain, ctx.native, 'PACE');
  if ((group.kind === 'EC') !== (suite.keyAgreement === 'ECDH')) throw new MrtdError('PROTOCOL', 'PACE', 'domain parameters do not match the key agreement');
  checkIntegratedMappingCurve(group, mapping);
  const kPi = passwordKey(password, cipher);

  // MSE:Set AT (§4.4.4.1).
  const sendId = options.sendParameterId ?? true;
  const mse = mseSetAtData(paceInfo.protocol, PASSWORD_REFERENCE[password.kind], sendId ? paceInfo.parameterId : undefined);
  await sendOk(card, { cla: 0x00, ins: 0x22, p1: 0xc1, p2: 0xa4, data: mse }, 'PACE', 'mseSetAt', options);

  // Step 1: the encrypted nonce z; s = D(K_pi, z).
  const r1 = await generalAuthenticate(card, dynamicAuthenticationData(), false, 'encryptedNonce', options);
  const z = need(r1, 0x80, 'encrypted nonce');
  if (z.length === 0 || z.length % blockLength(cipher) !== 0 || z.length > 64) throw new MrtdError('PROTOCOL', 'PACE', `encrypted nonce of ${z.length} bytes`);
  const s = cbc(ctx.native, cipher, kPi, z, false);

  // Step 2: map the nonce to an ephemeral generator.
  let mapped: KaGroup;
  let mappingPublicKey: Buffer | undefined;
  if (mapping === 'IM') {
    if (s.length !== nonceLength(cipher)) throw new MrtdError('PROTOCOL', 'PACE', `nonce of ${s.length} bytes for the integrated mapping`);
    const t = ctx.random(imNonceLength(cipher));
    const rp = pseudoRandomMod(ctx.native, cipher, s, t, group.prime);
    // §4.4.5.2.2: the chip's DO82 is empty for the integrated mapping.
    const r2 = await generalAuthenticate(card, dynamicAuthenticationData([0x81, t]), false, 'mapNonce', options);
    if ((r2.get(0x82)?.length ?? 0) !== 0) throw new MrtdError('PROTOCOL', 'PACE', 'integrated mapping answered with mapping data');
    mapped = group.integratedMap(rp, 'PACE');
  } else {
    const skMap = drawPrivateKey(ctx.random, group, 'PACE');
    const pkMap = group.publicKey(skMap);
    const r2 = await generalAuthenticate(card, dynamicAuthenticationData([0x81, pkMap]), false, 'mapNonce', options);
    const pkMapIc = group.checkPublicKey(need(r2, 0x82, 'mapping data'), 'PACE', 'chip mapping public key');
    if (group.samePublicKey(pkMapIc, pkMap)) throw new MrtdError('PROTOCOL', 'PACE', 'chip returned the terminal mapping key');
    mapped = group.genericMap(s, group.agreeElement(skMap, pkMapIc, 'PACE'), 'PACE');
    mappingPublicKey = pkMapIc;
  }

  // Step 3: anonymous key agreement over the mapped generator.
  const sk = drawPrivateKey(ctx.random, mapped, 'PACE');
  const pk = mapped.publicKey(sk);
  const r3 = await generalAuthenticate(card, dynamicAuthenticationData([0x83, pk]), false, 'keyAgreement', options);
  const pkIc = mapped.checkPublicKey(need(r3, 0x84, 'ephemeral public key'), 'PACE', 'chip ephemeral public key');
  // §4.4.1 3c: the two public keys must differ (a reflecting chip would learn nothing, but a
  // relay that echoes the terminal's key must not complete the protocol).
  if (mapped.samePublicKey(pkIc, pk)) throw new MrtdError('PROTOCOL', 'PACE', 'chip returned the terminal ephemeral key');
  const k = mapped.sharedSecret(sk, pkIc, 'PACE');
  const keys = deriveSessionKeys(k, cipher, Buffer.alloc(blockLength(cipher)));

  // Step 4: mutual authentication with tokens over the other side's key (§4.4.3.4).
  const kind = group.kind;
  const tIfd = authToken(ctx.native, cipher, keys.ksMac, paceInfo.protocol, kind, pkIc);
  const r4 = await generalAuthenticate(card, dynamicAuthenticationData([0x85, tIfd]), true, 'mutualAuthentication', options);
  const tIc = need(r4, 0x86, 'chip authentication token');
  if (!tokenMatches(ctx.native, cipher, keys.ksMac, paceInfo.protocol, group, pk, tIc)) {
    throw new MrtdError('AUTH_FAILED', 'PACE', 'chip authentication token does not verify');
  }

  let cam: PaceCamData | undefined;
  if (mapping === 'CAM') cam = camData(ctx.native, cipher, keys, need(r4, 0x8a, 'encrypted chip authentication data'), mappingPublicKey!, group, paceInfo.parameterId);

  return {
    protocol: 'PACE',
    variant: paceVariant(suite),
    password: password.kind,
    oid: paceInfo.protocol,
    ...(paceInfo.parameterId === undefined ? {} : { parameterId: paceInfo.parameterId }),
    keys,
    channel: new SecureChannel(card, keys, ctx.native),
    chipEphemeralPublicKey: pkIc,
    ...(cam ? { cam } : {}),
  };
}

/** §9.5.1 Table 12 note and Appendix B: the point encoding needs p ≡ 3 (mod 4). */
function checkIntegratedMappingCurve(group: KaGroup, mapping: string): void {
  if (mapping !== 'IM' || group.kind !== 'EC') return;
  if ((group.prime[group.prime.length - 1]! & 3) !== 3) throw new MrtdError('UNSUPPORTED', 'PACE', 'the integrated mapping needs a curve with p ≡ 3 mod 4');
}

/**
 * T_IC over the terminal's key. DH keys are sent without leading zeros (§9.4.1), but a chip
 * may re-encode at the length of p; either encoding proves the same key.
 */
function tokenMatches(native: MrtdNative, cipher: SmCipher, ksMac: Buffer, oid: string, group: KaGroup, pk: Buffer, token: Buffer): boolean {
  const candidates = [pk];
  if (group.kind === 'DH' && pk.length < group.elementBytes) candidates.push(Buffer.concat([Buffer.alloc(group.elementBytes - pk.length), pk]));
  return candidates.some((c) => equalsConstantTime(authToken(native, cipher, ksMac, oid, group.kind, c), token));
}

function camData(native: MrtdNative, cipher: SmCipher, keys: SessionKeys, a: Buffer, pkMapIc: Buffer, group: KaGroup, keyId: number | undefined): PaceCamData {
  const curve = ecCurveOfGroup(group);
  if (!curve) throw new MrtdError('PROTOCOL', 'PACE', 'chip authentication mapping needs ECDH');
  const ca = decryptCamData(native, cipher, keys.ksEnc, a);
  if (!ca || ca.length === 0 || ca.length > group.orderBytes) throw new MrtdError('PROTOCOL', 'PACE', 'encrypted chip authentication data does not decrypt');
  return {
    encryptedChipAuthenticationData: a,
    chipAuthenticationData: ca,
    mappingPublicKey: pkMapIc,
    curve,
    ...(keyId === undefined ? {} : { keyId }),
  };
}

export { verifyPaceCam, paceCamKey } from './pace-cam.js';

/** True when an error is PACE's own (for callers deciding what to tell the applicant). */
export const isPaceError = (e: unknown): e is MrtdError => isMrtdError(e) && e.step === 'PACE';

const MAPPING_RANK: Readonly<Record<string, number>> = { CAM: 3, GM: 2, IM: 1 };
const CIPHER_RANK: Readonly<Record<SmCipher, number>> = { '3DES': 0, 'AES-128': 1, 'AES-192': 2, 'AES-256': 3 };

/**
 * The PACEInfo to use when EF.CardAccess offers several: PACE-CAM first (it authenticates
 * the chip at once, Appendix J.1), then the generic and integrated mappings; ECDH before DH;
 * the strongest cipher. PACEInfos this engine cannot run (unknown OID or parameter id) are
 * skipped; `domainParameterInfos` make explicit parameter ids usable.
 */
export function choosePaceInfo<T extends PaceInfoLike>(infos: readonly T[], domainParameterInfos: readonly PaceDomainParameterInfo[] = []): T | undefined {
  const usable = infos.filter((i) => {
    const s = keyAgreementProtocol(i.protocol);
    if (s?.protocol !== 'PACE') return false;
    try {
      const { domain } = paceDomain(i.parameterId, s.keyAgreement, domainParameterInfos, false);
      // Appendix B: the integrated mapping's point encoding needs p ≡ 3 (mod 4) (not P-224).
      return !(s.mapping === 'IM' && domain.kind === 'EC' && (domain.curve.p[domain.curve.p.length - 1]! & 3) !== 3);
    } catch {
      return false;
    }
  });
  const score = (i: T): number => {
    const s = keyAgreementProtocol(i.protocol)!;
    return MAPPING_RANK[s.mapping ?? 'GM']! * 100 + (s.keyAgreement === 'ECDH' ? 10 : 0) + CIPHER_RANK[s.cipher];
  };
  return [...usable].sort((a, b) => score(b) - score(a))[0];
}
