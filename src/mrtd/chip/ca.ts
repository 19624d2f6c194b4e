// Chip Authentication, chip side (ICAO 9303-11 §6.2.4): MSE:Set KAT (41A6, 3DES) and
// MSE:Set AT (41A4) + GENERAL AUTHENTICATE, with the DG14 keys whose private halves chip.json
// holds (PKCS #8). The answer to the authenticating command is protected with the old keys;
// the returned session starts with the next command (§9.8.2). A ChipAuthenticationInfo of
// version 2 (BSI TR-03110) makes the chip answer GENERAL AUTHENTICATE with a nonce and a
// token and derive the keys with the nonce; it draws the nonce (8 bytes) from its source.
import type { MrtdNative } from '../../native/mrtd.js';
import { ParseError } from '../../errors.js';
import { StatusWord, type CommandApdu } from '../apdu.js';
import type { RandomSource } from '../card.js';
import { isMrtdError } from '../errors.js';
import { keyAgreementProtocol, type KeyAgreementProtocolInfo } from '../lds/oids.js';
import { chipAuthenticationInfos, type SecurityInfo } from '../lds/security-infos.js';
import { blockLength, KDF_ENC, KDF_MAC, kdf, type SessionKeys } from '../sm/keys.js';
import { authToken } from '../access/pace-crypto.js';
import { kaGroup, type KaGroup } from '../access/pace-group.js';
import { dataObjects, dynamicAuthenticationData, oidFromValue, parseDynamicAuthenticationData, smallIntFromValue } from '../access/pace-messages.js';
import { parseAll } from '../tlv.js';
import type { ChipPrivateKey } from './private-keys.js';
import type { HandlerResult } from './virtual-chip.js';

export interface CaChipKey {
  readonly keyId?: number;
  /** An EC or DH key (chip.json chipAuthentication[].privateKeyPem, parsed). */
  readonly key: ChipPrivateKey;
}

export interface CaChipConfig {
  /** DG14's SecurityInfos: the ChipAuthenticationInfos say which suites and versions are offered. */
  readonly securityInfos: readonly SecurityInfo[];
  readonly keys: readonly CaChipKey[];
}

const status = (sw: number): HandlerResult => ({ response: { data: Buffer.alloc(0), sw } });
const CA_NONCE_BYTES = 8;

interface Pending {
  readonly suite: KeyAgreementProtocolInfo;
  readonly oid: string;
  readonly key: Extract<ChipPrivateKey, { kind: 'EC' | 'DH' }>;
  readonly version: number;
}

export class CaChip {
  readonly #config: CaChipConfig;
  readonly #native: MrtdNative;
  readonly #random: RandomSource;
  #pending: Pending | undefined;

  constructor(config: CaChipConfig, deps: { native: MrtdNative; random: RandomSource }) {
    for (const k of config.keys) {
      if (k.key.kind === 'RSA') throw new ParseError('chip authentication key', 'an RSA key cannot do key agreement');
    }
    this.#config = config;
    this.#native = deps.native;
    this.#random = deps.random;
  }

  /** True after MSE:Set AT selected CA (GENERAL AUTHENTICATE belongs to CA). */
  get active(): boolean {
    return this.#pending !== undefined;
  }

  reset(): void {
    this.#pending = undefined;
  }

  /** The key for a DO84 reference, or the only key when there is no reference. */
  #key(ref: Buffer | undefined): Extract<ChipPrivateKey, { kind: 'EC' | 'DH' }> | undefined {
    let id: number | undefined;
    if (ref !== undefined) id = smallIntFromValue(ref, 'DO84');
    const keys = this.#config.keys.filter((k) => id === undefined || k.keyId === id);
    const k = keys.length === 1 ? keys[0]!.key : undefined;
    return k?.kind === 'RSA' ? undefined : k;
  }

  /** Offered suites: DG14's ChipAuthenticationInfos, or 3DES alone for a DG14 without any. */
  #offers(suite: KeyAgreementProtocolInfo): { version: number } | undefined {
    const infos = chipAuthenticationInfos(this.#config.securityInfos);
    if (infos.length === 0) return suite.cipher === '3DES' ? { version: 1 } : undefined;
    const i = infos.find((x) => x.suite.keyAgreement === suite.keyAgreement && x.suite.cipher === suite.cipher);
    return i ? { version: i.version } : undefined;
  }

  /** MSE:Set KAT (41A6): DO91 ephemeral key, DO84 key reference; 3DES keys at once (§6.2.4.1). */
  mseSetKat(c: CommandApdu): HandlerResult {
    this.reset();
    try {
      const dos = dataObjects(parseAll(c.data ?? Buffer.alloc(0), 'MSE:Set KAT'), 'MSE:Set KAT');
      const pkIfd = dos.get(0x91);
      const key = this.#key(dos.get(0x84));
      if (!key) return status(StatusWord.REFERENCED_DATA_NOT_FOUND);
      if (pkIfd === undefined) return status(StatusWord.INCORRECT_DATA);
      const suite: KeyAgreementProtocolInfo = { protocol: 'CA', keyAgreement: key.kind === 'EC' ? 'ECDH' : 'DH', cipher: '3DES', mac: 'CBC' };
      if (!this.#offers(suite)) return status(StatusWord.CONDITIONS_NOT_SATISFIED);
      const k = this.#agree(key, pkIfd);
      return { response: status(StatusWord.OK).response, session: keysOf(k, undefined, '3DES'), established: 'CA' };
    } catch (e) {
      if (e instanceof ParseError || isMrtdError(e)) return status(StatusWord.INCORRECT_DATA);
      throw e;
    }
  }

  /** MSE:Set AT (41A4): DO80 CA protocol OID, DO84 key reference (§6.2.4.2). */
  mseSetAt(c: CommandApdu): HandlerResult {
    this.reset();
    try {
      const dos = dataObjects(parseAll(c.data ?? Buffer.alloc(0), 'MSE:Set AT'), 'MSE:Set AT');
      const o = dos.get(0x80);
      if (!o) return status(StatusWord.INCORRECT_DATA);
      const oid = oidFromValue(o, 'MSE:Set AT DO80');
      const suite = keyAgreementProtocol(oid);
      if (suite?.protocol !== 'CA') return status(StatusWord.INCORRECT_DATA);
      const key = this.#key(dos.get(0x84));
      if (!key || (key.kind === 'EC') !== (suite.keyAgreement === 'ECDH')) return status(StatusWord.REFERENCED_DATA_NOT_FOUND);
      const offer = this.#offers(suite);
      if (!offer) return status(StatusWord.INCORRECT_DATA);
      this.#pending = { suite, oid, key, version: offer.version };
      return status(StatusWord.OK);
    } catch (e) {
      if (e instanceof ParseError || isMrtdError(e)) return status(StatusWord.INCORRECT_DATA);
      throw e;
    }
  }

  /** GENERAL AUTHENTICATE with DO80 (the terminal's ephemeral key). */
  generalAuthenticate(c: CommandApdu): HandlerResult {
    const p = this.#pending;
    this.reset();
    if (!p) return status(StatusWord.CONDITIONS_NOT_SATISFIED);
    if ((c.cla & 0x10) !== 0) return status(0x6884); // chaining is not part of CA
    try {
      const pkIfd = parseDynamicAuthenticationData(c.data ?? Buffer.alloc(0), 'GENERAL AUTHENTICATE').get(0x80);
      if (pkIfd === undefined) return status(StatusWord.INCORRECT_DATA);
      const k = this.#agree(p.key, pkIfd);
      if (p.version < 2) {
        return { response: { data: dynamicAuthenticationData(), sw: StatusWord.OK }, session: keysOf(k, undefined, p.suite.cipher), established: 'CA' };
      }
      const nonce = this.#random(CA_NONCE_BYTES);
      const keys = keysOf(k, nonce, p.suite.cipher);
      const token = authToken(this.#native, keys.cipher, keys.ksMac, p.oid, p.key.kind, this.#group(p.key).checkPublicKey(pkIfd, 'CHIP', 'terminal key'));
      return { response: { data: dynamicAuthenticationData([0x81, nonce], [0x82, token]), sw: StatusWord.OK }, session: keys, established: 'CA' };
    } catch (e) {
      if (e instanceof ParseError || isMrtdError(e)) return status(StatusWord.INCORRECT_DATA);
      throw e;
    }
  }

  #group(key: Extract<ChipPrivateKey, { kind: 'EC' | 'DH' }>): KaGroup {
    return kaGroup(key.domain, this.#native, 'CHIP');
  }

  /** K = KA(SK_IC, PK_IFD) after validating PK_IFD (6A80 when invalid, §6.2.4.1). */
  #agree(key: Extract<ChipPrivateKey, { kind: 'EC' | 'DH' }>, pkIfd: Buffer): Buffer {
    const g = this.#group(key);
    const pk = g.checkPublicKey(pkIfd, 'CHIP', 'terminal ephemeral key');
    return g.sharedSecret(key.privateKey, pk, 'CHIP');
  }

  /** Answers MSE (41A6 / 41A4) and GENERAL AUTHENTICATE; the caller checks that SM is on. */
  handle(c: CommandApdu): HandlerResult {
    if (c.ins === 0x22 && c.p1 === 0x41 && c.p2 === 0xa6) return this.mseSetKat(c);
    if (c.ins === 0x22 && c.p1 === 0x41 && c.p2 === 0xa4) return this.mseSetAt(c);
    if (c.ins === 0x86) return this.generalAuthenticate(c);
    return status(StatusWord.INS_NOT_SUPPORTED);
  }
}

function keysOf(k: Buffer, nonce: Buffer | undefined, cipher: SessionKeys['cipher']): SessionKeys {
  return { cipher, ksEnc: kdf(k, KDF_ENC, cipher, nonce), ksMac: kdf(k, KDF_MAC, cipher, nonce), ssc: Buffer.alloc(blockLength(cipher)) };
}
