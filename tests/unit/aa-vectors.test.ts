// Active Authentication against published values: ICAO 9303-11 Appendix F (the ISO/IEC
// 9796-2 message representative of an RSA-1024/SHA-1 signature) and a session recorded with
// a real passport (gmrtd's test; RSA with SHA-256, under 3DES secure messaging). Sources in
// tests/fixtures/mrtd/aa-vectors.json.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { MrtdNative } from '../../src/native/mrtd.js';
import { performActiveAuthentication, verifyRsa } from '../../src/mrtd/auth/aa.js';
import { scriptedRandom } from '../../src/mrtd/card.js';
import { ScriptedChip } from '../../src/mrtd/conformance/scripted-chip.js';
import { parseDg15 } from '../../src/mrtd/lds/dg15.js';
import { publicKeyDetails } from '../../src/mrtd/lds/spki.js';
import { SecureChannel } from '../../src/mrtd/sm/channel.js';
import { fromHex, toHex } from '../../src/util/bytes.js';

const native = new MrtdNative();
const v = JSON.parse(readFileSync(new URL('../fixtures/mrtd/aa-vectors.json', import.meta.url), 'utf8')) as Record<string, Record<string, unknown>>;

t.test('Appendix F: F = 6A || M1 || SHA-1(M1 || RND.IFD) || BC', async (t) => {
  const f = v.icao_F_rsa1024_sha1 as { modulusBits: number; M1: string; RND_IFD: string; H: string; F: string };
  const m1 = fromHex(f.M1);
  const h = createHash('sha1').update(m1).update(fromHex(f.RND_IFD)).digest();
  t.equal(toHex(h), f.H);
  t.equal(native.iso9796Capacity(f.modulusBits, 20, true), m1.length, 'M1 has the full capacity (848 bits)');
  t.equal(toHex(native.iso9796Encode(f.modulusBits, m1, h, 'sha1', true, true)), f.F);
});

t.test('recorded session: INTERNAL AUTHENTICATE under secure messaging verifies', async (t) => {
  const s = v.gmrtd_rsa1792_sm as { dg15: string; sm: Record<string, string>; random: string[]; exchanges: { command: string; response: string }[]; signature: string; expected: Record<string, string> };
  const chip = new ScriptedChip(new Map(), s.exchanges.map((e) => ({ command: fromHex(e.command), response: fromHex(e.response) })));
  const channel = new SecureChannel(chip, { cipher: '3DES', ksEnc: fromHex(s.sm.ksEnc!), ksMac: fromHex(s.sm.ksMac!), ssc: fromHex(s.sm.ssc!) }, native);
  const dg15 = parseDg15(fromHex(s.dg15));
  const r = await performActiveAuthentication(channel, dg15, undefined, { native, random: scriptedRandom(s.random.map((h) => fromHex(h))) });
  t.equal(r.verified, true);
  t.equal(r.algorithm, s.expected.algorithm);
  t.equal(toHex(r.challenge), s.random[0]!.toUpperCase());
  t.equal(toHex(channel.keys.ssc), s.expected.sscAfter!.toUpperCase());
  t.ok(chip.finished);
  // The same signature against another challenge, or tampered, is a negative result.
  const key = publicKeyDetails(dg15.publicKeyInfo, 'DG15');
  if (key.type !== 'RSA') throw new Error('RSA expected');
  const sig = fromHex(s.signature);
  t.equal(verifyRsa(native, key, fromHex(s.random[0]!), sig).verified, true);
  t.equal(verifyRsa(native, key, fromHex('0000000000000000'), sig).verified, false);
  const bad = Buffer.from(sig);
  bad[100]! ^= 0x10;
  const r2 = verifyRsa(native, key, fromHex(s.random[0]!), bad);
  t.equal(r2.verified, false);
  t.ok(r2.failure);
});
