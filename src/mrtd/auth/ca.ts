// Chip Authentication, terminal side (ICAO 9303-11 §6.2, §9.2.5–§9.2.7; BSI TR-03110-2
// §3.4): an ephemeral-static DH/ECDH key agreement with the chip's key from DG14, then secure
// messaging restarts with keys derived from the shared secret and the send sequence counter
// at zero (§9.8.2). 3DES suites use MSE:Set KAT (§6.2.4.1); AES suites MSE:Set AT and
// GENERAL AUTHENTICATE (§6.2.4.2), which also serves 3DES chips that lack Set KAT (§8.5
// Note 1). A GENERAL AUTHENTICATE answer with a nonce (DO81) and token (DO82) is TR-03110's
// Chip Authentication version 2: the keys then include the nonce and the token is checked.
// Randomness: the ephemeral private key (the group order's byte length).
// CA is proven only when the next command under the new keys succeeds: the caller reads a
// file through `result.channel` and only then counts chip authentication as passed.
import type { MrtdNative } from '../../native/mrtd.js';
import { equalsConstantTime } from '../../util/bytes.js';
import { needsExtended, StatusWord, type CommandApdu, type OpOptions, type Transceiver } from '../apdu.js';
import { send, type RandomSource } from '../card.js';
import { MrtdError, isMrtdError } from '../errors.js';
import { keyAgreementProtocolOid, type KeyAgreementProtocolInfo } from '../lds/oids.js';
import {
  chipAuthenticationInfos,
  chipAuthenticationPublicKeys,
  type ChipAuthenticationPublicKeyInfo,
  type SecurityInfo,
} from '../lds/security-infos.js';
import { SecureChannel } from '../sm/channel.js';
import { blockLength, KDF_ENC, KDF_MAC, kdf, type SessionKeys, type SmCipher } from '../sm/keys.js';
import { ParseError } from '../../errors.js';
import { authToken } from '../access/pace-crypto.js';
import { chipAuthenticationKey } from '../access/pace-domain.js';
import { drawPrivateKey, kaGroup } from '../access/pace-group.js';
import { dynamicAuthenticationData, mseSetAtData, parseDynamicAuthenticationData, smallIntValue } from '../access/pace-messages.js';
import { encode } from '../tlv.js';

export interface CaOptions extends OpOptions {
  /** Use the key with this keyId (DG14 may hold several). */
  readonly keyId?: number;
  /** 'auto' (default): Set KAT for 3DES, Set AT + GENERAL AUTHENTICATE for AES. */
  readonly command?: 'auto' | 'kat' | 'at';
  /** §8.5 Note 1: when a 3DES chip refuses Set KAT, try Set AT in the same session. Default true. */
  readonly retryWithSetAt?: boolean;
}

export interface CaResult {
  readonly protocol: 'CA';
  /** The ChipAuthenticationInfo protocol OID used (inferred ones included). */
  readonly oid: string;
  readonly keyId?: number;
  readonly keyAgreement: 'ECDH' | 'DH';
  readonly cipher: SmCipher;
  readonly command: 'KAT' | 'AT';
  /** True when DG14 had no ChipAuthenticationInfo and 3DES was assumed (early EAC chips). */
  readonly inferred: boolean;
  /** TR-03110 Chip Authentication version 2 (nonce and token in the answer). */
  readonly version2: boolean;
  /** The new session keys, SSC zero. */
  readonly keys: SessionKeys;
  /** Secure messaging with the new keys over the same raw transceiver; the old channel is closed. */
  readonly channel: SecureChannel;
  readonly terminalEphemeralPublicKey: Buffer;
}

interface Ctx {
  readonly native: MrtdNative;
  readonly random: RandomSource;
}

const STRENGTH: Readonly<Record<SmCipher, number>> = { '3DES': 0, 'AES-128': 1, 'AES-192': 2, 'AES-256': 3 };

export interface CaChoice {
  readonly key: ChipAuthenticationPublicKeyInfo;
  readonly suite: KeyAgreementProtocolInfo;
  readonly oid: string;
  readonly inferred: boolean;
}

/**
 * Which key and suite to use: a ChipAuthenticationInfo with a public key of the same key
 * agreement and keyId, the strongest cipher first (§8.5 prefers AES). Without any
 * ChipAuthenticationInfo, 3DES is assumed for the key (chips issued before ICAO listed it).
 */
export function chooseChipAuthentication(infos: readonly SecurityInfo[], keyId?: number): CaChoice {
  const keys = chipAuthenticationPublicKeys(infos).filter((k) => keyId === undefined || k.keyId === keyId);
  if (keys.length === 0) throw new MrtdError('UNSUPPORTED', 'CA', keyId === undefined ? 'DG14 has no chip authentication key' : `no chip authentication key with keyId ${keyId}`);
  const cas = chipAuthenticationInfos(infos);
  if (cas.length === 0) {
    const key = keys[0]!;
    const suite: KeyAgreementProtocolInfo = { protocol: 'CA', keyAgreement: key.keyAgreement, cipher: '3DES', mac: 'CBC' };
    return { key, suite, oid: keyAgreementProtocolOid(suite)!, inferred: true };
  }
  const pairs: CaChoice[] = [];
  for (const ca of cas) {
    for (const key of keys) {
      if (key.keyAgreement !== ca.suite.keyAgreement) continue;
      if (ca.keyId !== undefined && key.keyId !== undefined && ca.keyId !== key.keyId) continue;
      pairs.push({ key, suite: ca.suite, oid: ca.protocol, inferred: false });
    }
  }
  pairs.sort((a, b) => STRENGTH[b.suite.cipher] - STRENGTH[a.suite.cipher]);
  const best = pairs[0];
  if (!best) throw new MrtdError('UNSUPPORTED', 'CA', 'no ChipAuthenticationInfo matches a chip authentication key');
  return best;
}

async function command(channel: Transceiver, apdu: CommandApdu, what: string, options: OpOptions | undefined): Promise<Buffer> {
  const c = needsExtended(apdu) && apdu.ne !== undefined ? { ...apdu, ne: 65536 } : apdu;
  const r = await send(channel, c, `CA.${what}`, options);
  if (r.sw !== (StatusWord.OK as number)) {
    throw new MrtdError(r.sw === (StatusWord.AUTHENTICATION_FAILED as number) ? 'AUTH_FAILED' : 'STATUS', 'CA', `${what} refused`, r.sw);
  }
  return r.data;
}

/**
 * Performs Chip Authentication over the current secure channel and returns a new channel
 * over `rawCard` with the derived keys. On failure the current channel is left as it is
 * (§6.2.2: the old keys stay valid unless the chip ended the session).
 */
export async function performChipAuthentication(
  rawCard: Transceiver,
  currentChannel: SecureChannel,
  dg14Infos: readonly SecurityInfo[],
  ctx: Ctx,
  options: CaOptions = {},
): Promise<CaResult> {
  const choice = chooseChipAuthentication(dg14Infos, options.keyId);
  const { suite, oid } = choice;
  const staticKey = chipAuthenticationKey(choice.key, dg14Infos, 'CA');
  const group = kaGroup(staticKey.domain, ctx.native, 'CA');
  const pkIc = group.checkPublicKey(staticKey.publicKey, 'CA', 'chip authentication public key');
  const sk = drawPrivateKey(ctx.random, group, 'CA');
  const pk = group.publicKey(sk);
  const k = group.sharedSecret(sk, pkIc, 'CA');
  const keyId = choice.key.keyId;

  const mode = options.command ?? 'auto';
  let used: 'KAT' | 'AT' = mode === 'at' || (mode === 'auto' && suite.cipher !== '3DES') ? 'AT' : 'KAT';
  let v2: { nonce: Buffer; token: Buffer } | undefined;
  if (used === 'KAT') {
    if (suite.cipher !== '3DES') throw new MrtdError('UNSUPPORTED', 'CA', 'MSE:Set KAT carries 3DES chip authentication only (§6.2.4.1)');
    try {
      const data = Buffer.concat([encode(0x91, pk), ...(keyId === undefined ? [] : [encode(0x84, smallIntValue(keyId))])]);
      await command(currentChannel, { cla: 0x00, ins: 0x22, p1: 0x41, p2: 0xa6, data }, 'mseSetKat', options);
    } catch (e) {
      const retry = options.retryWithSetAt ?? true;
      if (!(isMrtdError(e) && e.code === 'STATUS' && mode === 'auto' && retry && !currentChannel.closed)) throw e;
      used = 'AT';
    }
  }
  if (used === 'AT') v2 = await setAtAndAuthenticate(currentChannel, oid, keyId, pk, options);
  const nonce = v2?.nonce;

  const cipher = suite.cipher;
  const keys: SessionKeys = {
    cipher,
    ksEnc: kdf(k, KDF_ENC, cipher, nonce),
    ksMac: kdf(k, KDF_MAC, cipher, nonce),
    ssc: Buffer.alloc(blockLength(cipher)),
  };
  return finish(rawCard, currentChannel, ctx, { choice, keys, used, pk, keyId, v2 });
}

/** MSE:Set AT (41A4) then GENERAL AUTHENTICATE with DO80; returns the CA-v2 nonce and token if any. */
async function setAtAndAuthenticate(
  channel: SecureChannel,
  oid: string,
  keyId: number | undefined,
  pk: Buffer,
  options: OpOptions | undefined,
): Promise<{ nonce: Buffer; token: Buffer } | undefined> {
  await command(channel, { cla: 0x00, ins: 0x22, p1: 0x41, p2: 0xa4, data: mseSetAtData(oid, undefined, keyId) }, 'mseSetAt', options);
  const r = await command(channel, { cla: 0x00, ins: 0x86, p1: 0, p2: 0, data: dynamicAuthenticationData([0x80, pk]), ne: 256 }, 'generalAuthenticate', options);
  let dos: Map<number, Buffer>;
  try {
    dos = r.length === 0 ? new Map<number, Buffer>() : parseDynamicAuthenticationData(r, 'CA GENERAL AUTHENTICATE');
  } catch (e) {
    if (e instanceof ParseError) throw new MrtdError('PROTOCOL', 'CA', 'GENERAL AUTHENTICATE answer does not parse', undefined, { cause: e });
    throw e;
  }
  const nonce = dos.get(0x81);
  const token = dos.get(0x82);
  // Token (DO82) without nonce, or nonce without token, is not a CA answer of any version.
  if ((nonce === undefined) !== (token === undefined)) throw new MrtdError('PROTOCOL', 'CA', 'nonce and token must come together');
  if (nonce === undefined || token === undefined) return undefined;
  if (nonce.length === 0 || nonce.length > 64) throw new MrtdError('PROTOCOL', 'CA', `nonce of ${nonce.length} bytes`);
  return { nonce, token };
}

function finish(
  rawCard: Transceiver,
  currentChannel: SecureChannel,
  ctx: Ctx,
  r: { choice: CaChoice; keys: SessionKeys; used: 'KAT' | 'AT'; pk: Buffer; keyId: number | undefined; v2: { nonce: Buffer; token: Buffer } | undefined },
): CaResult {
  const { choice, keys } = r;
  if (r.v2) {
    // TR-03110-2 §3.4 (CA version 2): T_PICC = MAC(KS_MAC, PK_PCD) over the terminal's key.
    const expected = authToken(ctx.native, keys.cipher, keys.ksMac, choice.oid, choice.suite.keyAgreement === 'ECDH' ? 'EC' : 'DH', r.pk);
    if (!equalsConstantTime(expected, r.v2.token)) throw new MrtdError('AUTH_FAILED', 'CA', 'chip authentication token does not verify');
  }
  currentChannel.close('replaced by chip authentication');
  return {
    protocol: 'CA',
    oid: choice.oid,
    ...(r.keyId === undefined ? {} : { keyId: r.keyId }),
    keyAgreement: choice.suite.keyAgreement,
    cipher: keys.cipher,
    command: r.used,
    inferred: choice.inferred,
    version2: r.v2 !== undefined,
    keys,
    channel: new SecureChannel(rawCard, keys, ctx.native),
    terminalEphemeralPublicKey: r.pk,
  };
}
