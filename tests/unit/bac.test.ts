// BAC terminal side replayed against ICAO 9303-11 Appendix D (the scripted chip of the
// conformance interface), and its failure modes.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { MrtdNative } from '../../src/native/mrtd.js';
import { performBac, bacKeys } from '../../src/mrtd/access/bac.js';
import { scriptedRandom } from '../../src/mrtd/card.js';
import { ScriptedChip, ReplayMismatchError } from '../../src/mrtd/conformance/scripted-chip.js';
import { fromHex, toHex } from '../../src/util/bytes.js';

const native = new MrtdNative();
const fixture = (f: string) => JSON.parse(readFileSync(new URL(`../fixtures/mrtd/examples/${f}`, import.meta.url), 'utf8')) as Record<string, unknown>;
const script = fixture('bac-D.json') as { access: { mrz: string }; random: string[]; exchanges: { command: string; response: string }[] };
const expected = (fixture('expected.json') as Record<string, Record<string, string>>)['bac-D.json']!;
const exchanges = script.exchanges.map((e) => ({ command: fromHex(e.command), response: fromHex(e.response) }));

t.test('Appendix D: keys from the MRZ information', async (t) => {
  const k = bacKeys('L898902C<369080619406236');
  t.equal(toHex(k.kEnc), 'AB94FDECF2674FDFB9B391F85D7F76F2');
  t.equal(toHex(k.kMac), '7962D9ECE03D1ACD4C76089DCE131543');
});

t.test('Appendix D: the whole protocol yields the published session', async (t) => {
  const chip = new ScriptedChip(new Map(), exchanges);
  const r = await performBac(chip, script.access.mrz, { native, random: scriptedRandom(script.random.map((h) => fromHex(h))) });
  t.equal(toHex(r.keys.ksEnc), expected.ksEnc);
  t.equal(toHex(r.keys.ksMac), expected.ksMac);
  t.equal(toHex(r.keys.ssc), expected.ssc);
  t.ok(chip.finished);
});

t.test('a wrong MRZ changes the cryptogram: the replay refuses it', async (t) => {
  const chip = new ScriptedChip(new Map(), exchanges);
  await t.rejects(
    performBac(chip, 'L898902C<369080619406237', { native, random: scriptedRandom(script.random.map((h) => fromHex(h))) }),
    ReplayMismatchError,
  );
});

t.test('the chip refusing authentication (6300) is AUTH_FAILED with the status word', async (t) => {
  const chip = new ScriptedChip(new Map(), [exchanges[0]!, { command: exchanges[1]!.command, response: fromHex('6300') }]);
  await t.rejects(performBac(chip, script.access.mrz, { native, random: scriptedRandom(script.random.map((h) => fromHex(h))) }), { code: 'AUTH_FAILED', sw: 0x6300 });
});

t.test('a tampered chip cryptogram is AUTH_FAILED', async (t) => {
  const bad = Buffer.from(exchanges[1]!.response);
  bad[3]! ^= 1;
  const chip = new ScriptedChip(new Map(), [exchanges[0]!, { command: exchanges[1]!.command, response: bad }]);
  await t.rejects(performBac(chip, script.access.mrz, { native, random: scriptedRandom(script.random.map((h) => fromHex(h))) }), { code: 'AUTH_FAILED' });
});
