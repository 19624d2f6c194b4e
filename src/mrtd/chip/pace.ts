// PACE, chip side (ICAO 9303-11 §4.4): the virtual chip's answer to MSE:Set AT (C1A4) and
// the chain of four GENERAL AUTHENTICATE commands, for every mapping (GM, IM, CAM), every
// PACEInfo of its EF.CardAccess, and the MRZ and CAN passwords. The mirror image of
// ../access/pace.ts, built from the same primitives. The chip's draws, in order: the nonce s
// (16 bytes, 32 for AES-192/256), for GM/CAM the mapping private key, then the ephemeral
// private key (each at the group order's byte length, CONFORMANCE.md).
// A failed step answers with a status word and forgets the run (the terminal starts over
// with MSE:Set AT); a wrong password shows as 6300 on the terminal's token.
import type { MrtdNative } from '../../native/mrtd.js';
import { bigintFromBytes, bigintToBytes, equalsConstantTime } from '../../util/bytes.js';
import { StatusWord, type CommandApdu } from '../apdu.js';
import type { RandomSource } from '../card.js';
import { isMrtdError } from '../errors.js';
import { keyAgreementProtocol, type KeyAgreementProtocolInfo } from '../lds/oids.js';
import { paceInfos, type PaceDomainParameterInfo, type SecurityInfo } from '../lds/security-infos.js';
import { blockLength, deriveSessionKeys, type SessionKeys, type SmCipher } from '../sm/keys.js';
import { ParseError } from '../../errors.js';
import {
  authToken,
  cbc,
  encryptCamData,
  imNonceLength,
  nonceLength,
  passwordKey,
  pseudoRandomMod,
  type PacePassword,
} from '../access/pace-crypto.js';
import { paceDomain } from '../access/pace-domain.js';
import { drawPrivateKey, kaGroup, type KaGroup } from '../access/pace-group.js';
import { dataObjects, dynamicAuthenticationData, oidFromValue, parseDynamicAuthenticationData, smallIntFromValue } from '../access/pace-messages.js';
import { parseAll } from '../tlv.js';
import type { ChipPrivateKey } from './private-keys.js';
import type { HandlerResult } from './virtual-chip.js';

export interface PaceChipConfig {
  /** EF.CardAccess's SecurityInfos: the PACEInfos offered and any PACEDomainParameterInfo. */
  readonly securityInfos: readonly SecurityInfo[];
  /** The MRZ information (document number, birth and expiry date with check digits). */
  readonly mrzInformation?: string;
  readonly can?: string;
  /** The static key of PACE-CAM (chip.json paceCamPrivateKeyPem), an EC key on the PACE curve. */
  readonly camKey?: ChipPrivateKey;
}

const CLA_CHAIN = 0x10;
const SW_LAST_COMMAND_EXPECTED = 0x6883; // ISO/IEC 7816-4 Table 6
const status = (sw: number): HandlerResult => ({ response: { data: Buffer.alloc(0), sw } });
const ok = (data: Buffer): HandlerResult => ({ response: { data, sw: StatusWord.OK } });

interface Selected {
  readonly suite: KeyAgreementProtocolInfo;
  readonly oid: string;
  readonly cipher: SmCipher;
  readonly group: KaGroup;
  readonly kPi: Buffer;
}

type State =
  | { readonly step: 'idle' }
  | ({ readonly step: 'nonce' } & Selected)
  | ({ readonly step: 'map'; readonly s: Buffer } & Selected)
  | ({ readonly step: 'agree'; readonly mapped: KaGroup; readonly skMap?: Buffer } & Selected)
  | ({ readonly step: 'authenticate'; readonly keys: SessionKeys; readonly pk: Buffer; readonly pkIfd: Buffer; readonly skMap?: Buffer } & Selected);

export class PaceChip {
  readonly #config: PaceChipConfig;
  readonly #native: MrtdNative;
  readonly #random: RandomSource;
  #state: State = { step: 'idle' };

  constructor(config: PaceChipConfig, deps: { native: MrtdNative; random: RandomSource }) {
    this.#config = config;
    this.#native = deps.native;
    this.#random = deps.random;
  }

  /** True while a PACE run is selected (GENERAL AUTHENTICATE belongs to PACE). */
  get active(): boolean {
    return this.#state.step !== 'idle';
  }

  /** Forgets any run in progress (power cycle, session end, another MSE). */
  reset(): void {
    this.#state = { step: 'idle' };
  }

  /** MSE:Set AT for PACE (P1P2 = C1A4): DO80 protocol, DO83 password, DO84 parameter id. */
  mseSetAt(c: CommandApdu): HandlerResult {
    this.reset();
    if (c.p1 !== 0xc1 || c.p2 !== 0xa4) return status(StatusWord.INCORRECT_P1P2);
    let dos: Map<number, Buffer>;
    let oid: string;
    try {
      dos = dataObjects(parseAll(c.data ?? Buffer.alloc(0), 'MSE:Set AT'), 'MSE:Set AT');
      const o = dos.get(0x80);
      if (!o) return status(StatusWord.INCORRECT_DATA);
      oid = oidFromValue(o, 'MSE:Set AT DO80');
    } catch (e) {
      if (e instanceof ParseError) return status(StatusWord.INCORRECT_DATA);
      throw e;
    }
    const suite = keyAgreementProtocol(oid);
    if (suite?.protocol !== 'PACE') return status(StatusWord.INCORRECT_DATA);
    const ref = dos.get(0x84);
    let id: number | undefined;
    try {
      id = ref === undefined ? undefined : smallIntFromValue(ref, 'MSE:Set AT DO84');
    } catch {
      return status(StatusWord.INCORRECT_DATA);
    }
    const offered = paceInfos(this.#config.securityInfos).filter((p) => p.protocol === oid && (id === undefined || p.parameterId === id));
    // §4.4.4.1: DO84 is required when the domain parameters are ambiguous.
    const info = offered.length === 1 || (offered.length > 1 && offered.every((p) => p.parameterId === offered[0]!.parameterId)) ? offered[0] : undefined;
    if (!info) return status(StatusWord.REFERENCED_DATA_NOT_FOUND);
    const password = this.#password(dos.get(0x83));
    if (!password) return status(password === null ? StatusWord.INCORRECT_DATA : StatusWord.REFERENCED_DATA_NOT_FOUND);
    let group: KaGroup;
    try {
      const domainInfos = this.#config.securityInfos.filter((i): i is PaceDomainParameterInfo => i.type === 'PACEDomainParameterInfo');
      group = kaGroup(paceDomain(info.parameterId, suite.keyAgreement, domainInfos, true).domain, this.#native, 'CHIP');
    } catch (e) {
      if (isMrtdError(e) || e instanceof ParseError) return status(StatusWord.REFERENCED_DATA_NOT_FOUND);
      throw e;
    }
    if (suite.mapping === 'CAM' && this.#config.camKey?.kind !== 'EC') return status(StatusWord.REFERENCED_DATA_NOT_FOUND);
    this.#state = { step: 'nonce', suite, oid, cipher: suite.cipher, group, kPi: passwordKey(password, suite.cipher) };
    return status(StatusWord.OK);
  }

  /** undefined: password not available; null: unknown reference. */
  #password(ref: Buffer | undefined): PacePassword | undefined | null {
    if (ref?.length !== 1) return null;
    if (ref[0] === 0x01) return this.#config.mrzInformation === undefined ? undefined : { kind: 'MRZ', mrzInformation: this.#config.mrzInformation };
    if (ref[0] === 0x02) return this.#config.can === undefined ? undefined : { kind: 'CAN', can: this.#config.can };
    return null;
  }

  /** One GENERAL AUTHENTICATE of the PACE chain; the last one returns the session keys. */
  generalAuthenticate(c: CommandApdu): HandlerResult {
    const st = this.#state;
    if (st.step === 'idle') return status(StatusWord.CONDITIONS_NOT_SATISFIED);
    const chained = (c.cla & CLA_CHAIN) !== 0;
    const last = st.step === 'authenticate';
    if (chained === last) {
      this.reset();
      return status(last ? SW_LAST_COMMAND_EXPECTED : StatusWord.CONDITIONS_NOT_SATISFIED);
    }
    try {
      const dos = parseDynamicAuthenticationData(c.data ?? Buffer.alloc(0), 'GENERAL AUTHENTICATE');
      const r = this.#step(st, dos);
      if (r.response.sw !== (StatusWord.OK as number) || r.session) this.reset();
      return r;
    } catch (e) {
      // Malformed data or an invalid public key from the terminal (§4.4.4.2: 6A80).
      this.reset();
      if (e instanceof ParseError || isMrtdError(e)) return status(StatusWord.INCORRECT_DATA);
      throw e;
    }
  }

  #step(st: Exclude<State, { step: 'idle' }>, dos: Map<number, Buffer>): HandlerResult {
    const { group, cipher } = st;
    switch (st.step) {
      case 'nonce': {
        if (dos.size !== 0) return status(StatusWord.INCORRECT_DATA);
        const s = this.#random(nonceLength(cipher));
        this.#state = { ...st, step: 'map', s };
        return ok(dynamicAuthenticationData([0x80, cbc(this.#native, cipher, st.kPi, s, true)]));
      }
      case 'map': {
        const data = dos.get(0x81);
        if (data === undefined) return status(StatusWord.INCORRECT_DATA);
        if (st.suite.mapping === 'IM') {
          if (data.length !== imNonceLength(cipher)) return status(StatusWord.INCORRECT_DATA);
          const mapped = group.integratedMap(pseudoRandomMod(this.#native, cipher, st.s, data, group.prime), 'CHIP');
          this.#state = { ...st, step: 'agree', mapped };
          return ok(dynamicAuthenticationData([0x82, Buffer.alloc(0)]));
        }
        const pkMapIfd = group.checkPublicKey(data, 'CHIP', 'terminal mapping key');
        const skMap = drawPrivateKey(this.#random, group, 'CHIP');
        const pkMap = group.publicKey(skMap);
        if (group.samePublicKey(pkMap, pkMapIfd)) return status(StatusWord.INCORRECT_DATA);
        const mapped = group.genericMap(st.s, group.agreeElement(skMap, pkMapIfd, 'CHIP'), 'CHIP');
        this.#state = { ...st, step: 'agree', mapped, skMap };
        return ok(dynamicAuthenticationData([0x82, pkMap]));
      }
      case 'agree': {
        const data = dos.get(0x83);
        if (data === undefined) return status(StatusWord.INCORRECT_DATA);
        const pkIfd = st.mapped.checkPublicKey(data, 'CHIP', 'terminal ephemeral key');
        const sk = drawPrivateKey(this.#random, st.mapped, 'CHIP');
        const pk = st.mapped.publicKey(sk);
        // §4.4.1 3c: the chip checks that the two ephemeral keys differ.
        if (st.mapped.samePublicKey(pk, pkIfd)) return status(StatusWord.INCORRECT_DATA);
        const keys = deriveSessionKeys(st.mapped.sharedSecret(sk, pkIfd, 'CHIP'), cipher, Buffer.alloc(blockLength(cipher)));
        this.#state = { ...st, step: 'authenticate', keys, pk, pkIfd, ...(st.skMap ? { skMap: st.skMap } : {}) };
        return ok(dynamicAuthenticationData([0x84, pk]));
      }
      case 'authenticate': {
        const tIfd = dos.get(0x85);
        const expected = authToken(this.#native, cipher, st.keys.ksMac, st.oid, group.kind, st.pk);
        if (tIfd === undefined || !equalsConstantTime(tIfd, expected)) return status(StatusWord.AUTHENTICATION_FAILED);
        const out: (readonly [number, Buffer])[] = [[0x86, authToken(this.#native, cipher, st.keys.ksMac, st.oid, group.kind, st.pkIfd)]];
        if (st.suite.mapping === 'CAM') out.push([0x8a, this.#camData(st)]);
        return { response: ok(dynamicAuthenticationData(...out)).response, session: st.keys, established: 'PACE' };
      }
    }
  }

  /** A_IC = E(KS_enc, CA_IC) with CA_IC = SK_IC^-1 · SK_map,IC mod n (§4.4.3.5.1), FE2OS at |n|. */
  #camData(st: Extract<State, { step: 'authenticate' }>): Buffer {
    const key = this.#config.camKey;
    if (key?.kind !== 'EC' || !st.skMap) throw new ParseError('PACE-CAM', 'no static EC key');
    const n = st.group.order;
    const ca = (modInverse(bigintFromBytes(key.privateKey), n) * bigintFromBytes(st.skMap)) % n;
    return encryptCamData(this.#native, st.cipher, st.keys.ksEnc, bigintToBytes(ca, st.group.orderBytes));
  }

  /** Answers the commands PACE owns: MSE:Set AT (C1A4) and GENERAL AUTHENTICATE. */
  handle(c: CommandApdu): HandlerResult {
    if (c.ins === 0x22) return this.mseSetAt(c);
    if (c.ins === 0x86) return this.generalAuthenticate(c);
    return status(StatusWord.INS_NOT_SUPPORTED);
  }
}

/** a^-1 mod n for a prime n (extended Euclid). */
export function modInverse(a: bigint, n: bigint): bigint {
  let [r0, r1] = [((a % n) + n) % n, n];
  let [s0, s1] = [1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  if (r0 !== 1n) throw new ParseError('modular inverse', 'value not invertible');
  return ((s0 % n) + n) % n;
}

