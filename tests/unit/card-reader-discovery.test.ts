// The reader table (STYLE.md P1): real PC/SC names map to the right entry, contact and SAM
// interfaces of dual readers are never picked, vpcd only when asked for, and the preference
// order decides among several. Names: pcscd's "<friendly name> [<USB interface>] (serial) nn
// mm" built from libccid's Info.plist and the interface strings in LudovicRousseau/CCID
// readers/*.txt, and names seen in the field: LudovicRousseau/PCSC issue #54 (ACR1252 Dual
// Reader PICC), Governikus AusweisApp's reader-configuration tests (OMNIKEY 5422CL, Identiv
// CLOUD 3700 F), vsmartcard's /etc/reader.conf.d/vpcd ("Virtual PCD").
import t from 'tap';
import { matchReaderModel, READER_MODELS, selectReader } from '../../src/devices/card-reader/discovery.js';

const NAMES: readonly (readonly [string, string | undefined])[] = [
  ['ACS ACR1252 Dual Reader [ACR1252 Dual Reader PICC] 00 00', 'acs-acr1252'],
  ['ACS ACR1252 Reader [ACR1252 Reader PICC] 00 00', 'acs-acr1252'],
  ['ACS ACR1252 Dual Reader [ACR1252 Dual Reader SAM] 00 01', undefined],
  ['ACS ACR1252IMP Reader [ACR1252IMP Reader PICC] 00 00', 'acs-acr1252'],
  ['ACS ACR122U PICC Interface 00 00', 'acs-acr122u'],
  ['ACS ACR122U 00 00', 'acs-acr122u'],
  ['HID Global OMNIKEY 5022 Smart Card Reader [OMNIKEY 5022 Smart Card Reader] 00 00', 'hid-omnikey-5022'],
  ['HID Global OMNIKEY 5422CL Smartcard Reader 0', 'hid-omnikey-5422'],
  ['HID Global OMNIKEY 5422 Smartcard Reader [OMNIKEY 5422 Smartcard Reader] 01 00', 'hid-omnikey-5422'],
  ['Identiv uTrust 3700 F CL Reader [uTrust 3700 F CL Reader] (55072290205) 00 00', 'identiv-utrust-3700f'],
  ['Identiv CLOUD 3700 F Contactless Reader 0', 'identiv-utrust-3700f'],
  ['Virtual PCD 00 00', 'vsmartcard-vpcd'],
  ['Virtual PCD 00 01', 'vsmartcard-vpcd'],
  ['Virtual PCD 00 00 extra', undefined],
  ['Gemalto PC Twin Reader (74558F51) 00 00', undefined],
];

t.test('reader names map to their table entries', async (t) => {
  for (const [name, id] of NAMES) t.equal(matchReaderModel(name)?.id, id, name);
});

t.test('every entry is complete: unique ids, a pattern, a stated preference', async (t) => {
  const ids = new Set(READER_MODELS.map((m) => m.id));
  t.equal(ids.size, READER_MODELS.length);
  for (const m of READER_MODELS) {
    t.notOk(m.namePattern.global || m.namePattern.sticky, `${m.id}: no stateful flags`);
    t.ok(m.preference > 0, m.id);
  }
  t.equal(READER_MODELS.find((m) => m.id === 'acs-acr122u')?.extendedLength, false, 'ACR122U: short APDUs only');
  t.equal(READER_MODELS.find((m) => m.id === 'acs-acr1252')?.extendedLength, true, 'ACR1252U: short and extended APDU level');
});

t.test('selection: best physical reader by preference; vpcd and unknown readers only by pattern', async (t) => {
  const all = NAMES.map(([n]) => n);
  t.equal(selectReader(all)?.name, 'ACS ACR1252 Dual Reader [ACR1252 Dual Reader PICC] 00 00');
  t.equal(selectReader(['Virtual PCD 00 00', 'Virtual PCD 00 01']), undefined, 'no physical reader: nothing chosen');
  t.equal(selectReader(['ACS ACR122U PICC Interface 00 00', 'Identiv CLOUD 3700 F Contactless Reader 0'])?.model?.id, 'identiv-utrust-3700f');
  t.same(selectReader(all, { pattern: /^Virtual PCD 00 01$/ }), { name: 'Virtual PCD 00 01', model: READER_MODELS.at(-1) });
  const g = /Gemalto/g;
  t.equal(selectReader(all, { pattern: g })?.name, 'Gemalto PC Twin Reader (74558F51) 00 00');
  t.equal(selectReader(all, { pattern: g })?.name, 'Gemalto PC Twin Reader (74558F51) 00 00', 'a g-flagged pattern gives the same answer twice');
  t.equal(selectReader([]), undefined);
  t.equal(selectReader(['b', 'a'], { pattern: /./ })?.name, 'a', 'unlisted names: alphabetical');
});
