// Chip Authentication terminal side against sessions recorded with real passports (gmrtd's
// tests; sources in tests/fixtures/mrtd/ca-transcripts.json): AES with Set AT + GENERAL
// AUTHENTICATE, a keyId, 3DES through Set AT (§8.5 Note 1), and a DG14 without
// ChipAuthenticationInfo (3DES inferred, Set KAT under AES-256 secure messaging). Each ends
// with a SELECT under the new keys, which is what proves chip authentication.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { MrtdNative } from '../../src/native/mrtd.js';
import { performChipAuthentication, chooseChipAuthentication, type CaOptions } from '../../src/mrtd/auth/ca.js';
import { scriptedRandom } from '../../src/mrtd/card.js';
import { ScriptedChip } from '../../src/mrtd/conformance/scripted-chip.js';
import { encodeCommand, parseResponse, StatusWord } from '../../src/mrtd/apdu.js';
import { parseDg14 } from '../../src/mrtd/lds/security-infos.js';
import { SecureChannel } from '../../src/mrtd/sm/channel.js';
import type { SmCipher } from '../../src/mrtd/sm/keys.js';
import { fromHex, toHex } from '../../src/util/bytes.js';

const native = new MrtdNative();
interface Session {
  dg14: string;
  sm: { cipher: SmCipher; ksEnc: string; ksMac: string; ssc: string };
  random: string[];
  exchanges: { command: string; response: string }[];
  select: string;
  options: CaOptions;
  expected: { cipher: string; command: string; keyId?: number; inferred?: boolean; ksEnc: string; ksMac: string; sscAfterSelect: string };
}
const sessions = JSON.parse(readFileSync(new URL('../fixtures/mrtd/ca-transcripts.json', import.meta.url), 'utf8')) as Record<string, Session | string>;

for (const [name, s] of Object.entries(sessions)) {
  if (typeof s === 'string') continue;
  t.test(`${name}: the recorded session replays and the new keys protect the next command`, async (t) => {
    const chip = new ScriptedChip(new Map(), s.exchanges.map((e) => ({ command: fromHex(e.command), response: fromHex(e.response) })));
    const old = new SecureChannel(chip, { cipher: s.sm.cipher, ksEnc: fromHex(s.sm.ksEnc), ksMac: fromHex(s.sm.ksMac), ssc: fromHex(s.sm.ssc) }, native);
    const infos = parseDg14(fromHex(s.dg14)).securityInfos;
    const r = await performChipAuthentication(chip, old, infos, { native, random: scriptedRandom(s.random.map((h) => fromHex(h))) }, s.options);
    t.equal(r.cipher, s.expected.cipher);
    t.equal(r.command, s.expected.command);
    t.equal(r.keyId, s.expected.keyId);
    t.equal(r.inferred, s.expected.inferred ?? false);
    t.equal(toHex(r.keys.ksEnc), s.expected.ksEnc.toUpperCase());
    t.equal(toHex(r.keys.ksMac), s.expected.ksMac.toUpperCase());
    t.ok(old.closed, 'the old channel is closed');
    const sel = parseResponse(await r.channel.transceive(fromHex(s.select)));
    t.equal(sel.sw, StatusWord.OK, 'a protected SELECT succeeds under the new keys');
    t.equal(toHex(r.channel.keys.ssc), s.expected.sscAfterSelect.toUpperCase());
    t.ok(chip.finished);
    await t.rejects(old.transceive(encodeCommand({ cla: 0, ins: 0xb0, p1: 0, p2: 0, ne: 4 })), { code: 'SESSION_CLOSED' });
  });
}

t.test('key choice: keyId filter, strongest cipher, inference without ChipAuthenticationInfo', async (t) => {
  const de = sessions.DE_ecdh_aes128_keyid as Session;
  const infos = parseDg14(fromHex(de.dg14)).securityInfos;
  t.equal(chooseChipAuthentication(infos).key.keyId, 195);
  t.throws(() => chooseChipAuthentication(infos, 7), { code: 'UNSUPPORTED', step: 'CA' });
  const fr = parseDg14(fromHex((sessions.FR_ecdh_inferred_3des_kat as Session).dg14)).securityInfos;
  const c = chooseChipAuthentication(fr);
  t.equal(c.inferred, true);
  t.equal(c.oid, '0.4.0.127.0.7.2.2.3.2.1');
  t.throws(() => chooseChipAuthentication([]), { code: 'UNSUPPORTED' });
});
