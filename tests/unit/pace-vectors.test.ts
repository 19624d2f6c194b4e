// PACE against the published worked examples: ICAO 9303-11 Appendix G.1 (ECDH GM, through
// the conformance fixture and the scripted chip), G.2 (DH GM), H.1 (ECDH IM), H.2 (DH IM),
// I.1 (ECDH CAM, including the check against the static key), and a recorded 3DES session
// (gmrtd's NZ passport). Fixture sources are named in tests/fixtures/mrtd/pace-worked-examples.json.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { MrtdNative } from '../../src/native/mrtd.js';
import { performPace, choosePaceInfo } from '../../src/mrtd/access/pace.js';
import { verifyPaceCam, paceCamKey } from '../../src/mrtd/access/pace-cam.js';
import { authToken, cbc, passwordEncoding, passwordKey, pseudoRandom, pseudoRandomMod } from '../../src/mrtd/access/pace-crypto.js';
import { chipAuthenticationKey } from '../../src/mrtd/access/pace-domain.js';
import { kaGroup } from '../../src/mrtd/access/pace-group.js';
import { scriptedRandom } from '../../src/mrtd/card.js';
import { ScriptedChip, ReplayMismatchError } from '../../src/mrtd/conformance/scripted-chip.js';
import { parseCardAccess, paceInfos, parseSecurityInfo, type ChipAuthenticationPublicKeyInfo } from '../../src/mrtd/lds/security-infos.js';
import { mrzInformation } from '../../src/mrtd/mrz.js';
import { standardDomain } from '../../src/mrtd/params/domains.js';
import { deriveSessionKeys } from '../../src/mrtd/sm/keys.js';
import { parseSingle } from '../../src/mrtd/tlv.js';
import { fromHex, toHex } from '../../src/util/bytes.js';

const native = new MrtdNative();
const read = (p: string): unknown => JSON.parse(readFileSync(new URL(`../fixtures/mrtd/${p}`, import.meta.url), 'utf8'));

interface Replay {
  access: { mrz: string };
  files: Record<string, string>;
  random: string[];
  exchanges: { command: string; response: string }[];
  expected?: { variant: string; ksEnc: string; ksMac: string; ssc: string };
  intermediate?: Record<string, string>;
}
type Vectors = Record<string, Record<string, string>>;
const examples = read('pace-worked-examples.json') as Record<string, unknown>;
const g1 = read('examples/pace-G1.json') as Replay;
const g1Expected = (read('examples/expected.json') as Record<string, Record<string, string>>)['pace-G1.json']!;

const chipOf = (r: Pick<Replay, 'exchanges'>): ScriptedChip => new ScriptedChip(new Map(), r.exchanges.map((e) => ({ command: fromHex(e.command), response: fromHex(e.response) })));
const randomOf = (r: Pick<Replay, 'random'>) => scriptedRandom(r.random.map((h) => fromHex(h)));
const infoOf = (r: Pick<Replay, 'files'>) => paceInfos(parseCardAccess(fromHex(r.files['EF.CardAccess']!)))[0]!;

t.test('G.1 (ECDH GM, brainpoolP256r1, AES-128): the conformance transcript yields the published session', async (t) => {
  const chip = chipOf(g1);
  const r = await performPace(chip, { kind: 'MRZ', mrzInformation: g1.access.mrz }, infoOf(g1), { native, random: randomOf(g1) });
  t.equal(r.variant, g1Expected.variant);
  t.equal(toHex(r.keys.ksEnc), g1Expected.ksEnc);
  t.equal(toHex(r.keys.ksMac), g1Expected.ksMac);
  t.equal(toHex(r.keys.ssc), g1Expected.ssc);
  t.equal(r.password, 'MRZ');
  t.equal(r.cam, undefined);
  t.equal(toHex(r.chipEphemeralPublicKey).slice(0, 10), '049E880F84');
  t.ok(chip.finished, 'every scripted exchange used');
});

t.test('G.1 intermediate values (icao-worked-examples.json)', async (t) => {
  const w = (read('icao-worked-examples.json') as { vectors: { id: string; expected: Record<string, string>; inputs: Record<string, string> }[] }).vectors.find((v) => v.id === 'pace.ecdh_gm.part11.appendixG1')!;
  const pw = { kind: 'MRZ' as const, mrzInformation: w.inputs.mrz_information_ascii! };
  t.equal(toHex(passwordEncoding(pw)), w.expected.pi_SHA1_mrz_information);
  const kPi = passwordKey(pw, 'AES-128');
  t.equal(toHex(kPi), w.expected.K_pi);
  t.equal(toHex(cbc(native, 'AES-128', kPi, fromHex(w.inputs.encrypted_nonce_z!), false)), w.expected.nonce_s);
  const d = standardDomain(13)!;
  const g = kaGroup(d, native, 'PACE');
  const h = g.agreeElement(fromHex(w.inputs.SK_map_IFD!), fromHex(w.expected.PK_map_IC!), 'PACE');
  t.equal(toHex(h), w.expected.H_shared_point);
  const mapped = g.genericMap(fromHex(w.expected.nonce_s!), h, 'PACE');
  t.equal(toHex(mapped.generator), w.expected.G_mapped);
  t.equal(toHex(mapped.publicKey(fromHex(w.inputs.SK_DH_IFD!))), w.expected.PK_DH_IFD);
  t.equal(toHex(mapped.sharedSecret(fromHex(w.inputs.SK_DH_IFD!), fromHex(w.expected.PK_DH_IC!), 'PACE')), w.expected.K_shared_secret_x);
});

t.test('G.1 with another password: the token fails to match and the replay refuses the command', async (t) => {
  const chip = chipOf(g1);
  await t.rejects(performPace(chip, { kind: 'MRZ', mrzInformation: 'T22000129364081251010319' }, infoOf(g1), { native, random: randomOf(g1) }), ReplayMismatchError);
});

t.test('G.2 (DH GM, 1024-bit MODP, AES-128): the published APDUs replay', async (t) => {
  const v = examples.icao_G2_dh_gm as Replay;
  const chip = chipOf(v);
  const r = await performPace(chip, { kind: 'MRZ', mrzInformation: v.access.mrz }, infoOf(v), { native, random: randomOf(v) }, { sendParameterId: false });
  t.equal(r.variant, v.expected!.variant);
  t.equal(toHex(r.keys.ksEnc), v.expected!.ksEnc);
  t.equal(toHex(r.keys.ksMac), v.expected!.ksMac);
  t.ok(chip.finished);
  // Intermediate values of the appendix, recomputed.
  const g = kaGroup(standardDomain(0)!, native, 'PACE');
  const i = v.intermediate!;
  const pkMapIc = fromHex(v.exchanges[2]!.response).subarray(6, 134);
  const h = g.agreeElement(fromHex(v.random[0]!), pkMapIc, 'PACE');
  t.equal(toHex(h), i.shared_secret_H);
  const mapped = g.genericMap(fromHex(i.nonce_s!), h, 'PACE');
  t.equal(toHex(mapped.generator), i.mapped_generator);
  const pkIc = fromHex(v.exchanges[3]!.response).subarray(6, 134);
  const k = mapped.sharedSecret(fromHex(v.random[1]!), pkIc, 'PACE');
  t.equal(toHex(k), i.shared_secret_K);
  const keys = deriveSessionKeys(k, 'AES-128', Buffer.alloc(16));
  t.equal(toHex(authToken(native, 'AES-128', keys.ksMac, infoOf(v).protocol, 'DH', pkIc)), i.T_IFD);
});

t.test('H.1 (ECDH IM): R, R_p, the point encoding f_G, keys and tokens', async (t) => {
  const v = examples.icao_H1_ecdh_im as Vectors[string];
  const s = cbc(native, 'AES-128', fromHex(v.K_pi!), fromHex(v.encrypted_nonce_z!), false);
  t.equal(toHex(s), v.nonce_s);
  const d = standardDomain(13)!;
  const g = kaGroup(d, native, 'PACE');
  t.equal(toHex(pseudoRandom(native, 'AES-128', s, fromHex(v.nonce_t!), g.prime)), v.R, 'R(s,t)');
  const rp = pseudoRandomMod(native, 'AES-128', s, fromHex(v.nonce_t!), g.prime);
  t.equal(toHex(rp), v.R_p, 'R_p(s,t)');
  const mapped = g.integratedMap(rp, 'PACE');
  t.equal(toHex(mapped.generator), v.mapped_generator, 'f_G(R_p) — the native point encoding');
  t.equal(toHex(mapped.publicKey(fromHex(v.SK_IFD!))), v.PK_IFD);
  t.equal(toHex(mapped.publicKey(fromHex(v.SK_IC!))), v.PK_IC);
  const k = mapped.sharedSecret(fromHex(v.SK_IFD!), fromHex(v.PK_IC!), 'PACE');
  t.equal(toHex(k), v.K);
  const keys = deriveSessionKeys(k, 'AES-128', Buffer.alloc(16));
  t.equal(toHex(keys.ksEnc), v.KS_enc);
  t.equal(toHex(keys.ksMac), v.KS_mac);
  t.equal(toHex(authToken(native, 'AES-128', keys.ksMac, v.oid!, 'EC', fromHex(v.PK_IC!))), v.T_IFD);
  t.equal(toHex(authToken(native, 'AES-128', keys.ksMac, v.oid!, 'EC', fromHex(v.PK_IFD!))), v.T_IC);
});

t.test('H.1 as a whole run: the appendix values in a transcript (z re-encrypted for a known password)', async (t) => {
  // H.1 does not state its password, only K_pi. The chip's z is recomputed for G.1's MRZ
  // password from H.1's s; everything else (t, keys, tokens) is the appendix's.
  const v = examples.icao_H1_ecdh_im as Vectors[string];
  const mrz = g1.access.mrz;
  const z = cbc(native, 'AES-128', passwordKey({ kind: 'MRZ', mrzInformation: mrz }, 'AES-128'), fromHex(v.nonce_s!), true);
  const exchanges = [
    { command: '0022C1A412800A04007F0007020204040283010184010D', response: '9000' },
    { command: '10860000027C0000', response: `7C128010${toHex(z)}9000` },
    { command: `10860000147C128110${v.nonce_t}00`, response: '7C0282009000' },
    { command: `10860000457C43834104${v.PK_IFD!.slice(2)}00`, response: `7C43844104${v.PK_IC!.slice(2)}9000` },
    { command: `008600000C7C0A8508${v.T_IFD}00`, response: `7C0A8608${v.T_IC}9000` },
  ];
  const chip = chipOf({ exchanges });
  const r = await performPace(chip, { kind: 'MRZ', mrzInformation: mrz }, { protocol: v.oid!, parameterId: 13 }, { native, random: scriptedRandom([fromHex(v.nonce_t!), fromHex(v.SK_IFD!)]) });
  t.equal(r.variant, 'ECDH-IM-AES-128');
  t.equal(toHex(r.keys.ksEnc), v.KS_enc);
  t.equal(toHex(r.keys.ksMac), v.KS_mac);
  t.ok(chip.finished);
});

t.test('H.2 (DH IM): R over nine blocks, R_p, f_g, keys and tokens', async (t) => {
  const v = examples.icao_H2_dh_im as Vectors[string];
  const s = cbc(native, 'AES-128', fromHex(v.K_pi!), fromHex(v.encrypted_nonce_z!), false);
  t.equal(toHex(s), v.nonce_s);
  const g = kaGroup(standardDomain(0)!, native, 'PACE');
  t.equal(toHex(pseudoRandom(native, 'AES-128', s, fromHex(v.nonce_t!), g.prime)), v.R);
  const rp = pseudoRandomMod(native, 'AES-128', s, fromHex(v.nonce_t!), g.prime);
  t.equal(toHex(rp), v.R_p);
  const mapped = g.integratedMap(rp, 'PACE');
  t.equal(toHex(mapped.generator), v.mapped_generator);
  t.equal(toHex(mapped.publicKey(fromHex(v.SK_IFD!))), v.PK_IFD);
  t.equal(toHex(mapped.publicKey(fromHex(v.SK_IC!))), v.PK_IC);
  t.equal(toHex(mapped.checkPublicKey(fromHex(v.PK_IC!), 'PACE', 'PK_IC')), v.PK_IC, 'the chip key passes the subgroup check');
  const k = mapped.sharedSecret(fromHex(v.SK_IFD!), fromHex(v.PK_IC!), 'PACE');
  t.equal(toHex(k), v.K);
  const keys = deriveSessionKeys(k, 'AES-128', Buffer.alloc(16));
  t.equal(toHex(keys.ksEnc), v.KS_enc);
  t.equal(toHex(keys.ksMac), v.KS_mac);
  t.equal(toHex(authToken(native, 'AES-128', keys.ksMac, v.oid!, 'DH', fromHex(v.PK_IC!))), v.T_IFD);
  t.equal(toHex(authToken(native, 'AES-128', keys.ksMac, v.oid!, 'DH', fromHex(v.PK_IFD!))), v.T_IC);
});

t.test('I.1 (ECDH CAM): the published APDUs replay and the chip authentication data verifies', async (t) => {
  const v = examples.icao_I1_ecdh_cam as Replay;
  const i = v.intermediate!;
  const pw = { kind: 'MRZ' as const, mrzInformation: v.access.mrz };
  t.equal(toHex(passwordEncoding(pw)), i.K);
  t.equal(toHex(passwordKey(pw, 'AES-128')), i.K_pi);
  const chip = chipOf(v);
  const info = infoOf(v);
  const r = await performPace(chip, pw, info, { native, random: randomOf(v) }, { sendParameterId: false });
  t.equal(r.variant, 'ECDH-CAM-AES-128');
  t.equal(toHex(r.keys.ksEnc), v.expected!.ksEnc);
  t.equal(toHex(r.keys.ksMac), v.expected!.ksMac);
  t.ok(chip.finished);
  t.ok(r.cam);
  t.equal(toHex(r.cam!.chipAuthenticationData), i.CA_IC);
  const pk = parseSecurityInfo(parseSingle(fromHex(i.ChipAuthenticationPublicKeyInfo!))) as ChipAuthenticationPublicKeyInfo;
  t.equal(pk.keyId, 13);
  const key = chipAuthenticationKey(pk, [pk], 'PACE');
  t.ok(verifyPaceCam(r.cam!, key, native), 'PK_map,IC = CA_IC · PK_IC');
  t.ok(paceCamKey([pk], r.cam!), 'the key is found by keyId = parameterId');
  // Another static key (the generator's, say) does not verify.
  const d = standardDomain(13)!;
  if (d.kind !== 'EC') throw new Error('EC expected');
  t.notOk(verifyPaceCam(r.cam!, { domain: d, publicKey: kaGroup(d, native, 'PACE').generator }, native));
  const tampered = Buffer.from(r.cam!.chipAuthenticationData);
  tampered[5]! ^= 1;
  t.notOk(verifyPaceCam({ ...r.cam!, chipAuthenticationData: tampered }, key, native));
  t.notOk(verifyPaceCam(r.cam!, { domain: standardDomain(12)!, publicKey: key.publicKey }, native), 'a key of another curve');
});

t.test('recorded 3DES session (gmrtd, NZ passport): ECDH GM with 3DES', async (t) => {
  const v = examples.gmrtd_nz_ecdh_gm_3des as Replay & { mrz: { documentNumber: string; dateOfBirth: string; dateOfExpiry: string } };
  const chip = chipOf(v);
  const r = await performPace(chip, { kind: 'MRZ', mrzInformation: mrzInformation(v.mrz.documentNumber, v.mrz.dateOfBirth, v.mrz.dateOfExpiry) }, infoOf(v), { native, random: randomOf(v) }, { sendParameterId: false });
  t.equal(r.variant, 'ECDH-GM-3DES');
  t.equal(toHex(r.keys.ksEnc), v.expected!.ksEnc);
  t.equal(toHex(r.keys.ksMac), v.expected!.ksMac);
  t.equal(toHex(r.keys.ssc), v.expected!.ssc);
  t.ok(chip.finished);
});

t.test('choosePaceInfo prefers CAM, then ECDH, then the stronger cipher; skips what cannot run', async (t) => {
  const base = '0.4.0.127.0.7.2.2.4';
  const infos = [
    { protocol: `${base}.1.2`, parameterId: 2 },
    { protocol: `${base}.2.2`, parameterId: 13 },
    { protocol: `${base}.2.4`, parameterId: 13 },
    { protocol: `${base}.4.4`, parameterId: 10 }, // IM on P-224: p ≡ 1 mod 4
    { protocol: `${base}.2.4`, parameterId: 5 }, // reserved id
  ];
  t.same(choosePaceInfo(infos), infos[2]);
  t.same(choosePaceInfo([...infos, { protocol: `${base}.6.2`, parameterId: 13 }]), { protocol: `${base}.6.2`, parameterId: 13 });
  t.equal(choosePaceInfo([infos[3]!, infos[4]!]), undefined);
});
