// The chip engine's "Bad input" requirement, proven end to end: a hostile or broken chip
// (FaultyChip over a generated virtual passport, in process and through the simulated card
// reader) gets a typed error and a clean end of the session, never a crash, hang or unbounded
// allocation, and no personal data or key material reaches the log. Every fault class at every
// point of the session; then the engine fixes this suite found, one test each; then a property
// test over generated fault sequences.
import t from 'tap';
import fc from 'fast-check';
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openCardChannel } from '../../src/cli/card-source.js';
import { loadPassportFolder } from '../../src/mrtd/chip/folder.js';
import { systemRandom } from '../../src/mrtd/card.js';
import { inspectDocument } from '../../src/mrtd/inspection/inspect.js';
import { defaultProtocols } from '../../src/mrtd/inspection/default-protocols.js';
import { LineLogger } from '../../src/log.js';
import { allCodes, HARD_TIMEOUT_MS, inspectFaulty, makeFixture, MRZ, native, POLICY, seededRandom, violations, type Fixture, type Profile, type Run } from './hostile-harness.js';

const fixture: Promise<Fixture> = makeFixture();
t.teardown(async () => {
  (await fixture).cleanup();
});

type Point = 'access control' | 'EF.COM' | 'EF.SOD' | 'mid-DG2' | 'CA' | 'AA';
const POINTS: readonly Point[] = ['access control', 'EF.COM', 'EF.SOD', 'mid-DG2', 'CA', 'AA'];

/** Where each point is in the two sessions (transcripts: BAC `a4 84 82 b0… 22 86 b0… 88`; PACE `b0 b0 22 86×4 a4 b0… 22 86 b0… 88`). */
const TRIGGERS: Record<'bac' | 'pace', Record<Point, object>> = {
  // BAC: GET CHALLENGE. DG2 comes in ~224-byte blocks, so block 3 is mid-file.
  bac: { 'access control': { ins: 0x84 }, 'EF.COM': { file: 'EF.COM' }, 'EF.SOD': { file: 'EF.SOD' }, 'mid-DG2': { file: 'DG2', block: 3 }, CA: { ins: 0x86 }, AA: { ins: 0x88 } },
  // PACE: the second GENERAL AUTHENTICATE (nonce mapping); CA's is the fifth.
  pace: { 'access control': { ins: 0x86, nth: 2 }, 'EF.COM': { file: 'EF.COM' }, 'EF.SOD': { file: 'EF.SOD' }, 'mid-DG2': { file: 'DG2', block: 2 }, CA: { ins: 0x86, nth: 5 }, AA: { ins: 0x88 } },
};

interface Expect {
  readonly verdict: 'genuine' | 'not-genuine' | 'unverified';
  /** One of these codes must appear in the report (errors, failures, access attempts). */
  readonly codes: readonly string[];
  /** The fault must have changed something (false: it had nothing to act on, and says so). */
  readonly lands?: boolean;
}
/** The reading ended: nothing false was claimed, nothing was proven. */
const ended = (...codes: string[]): Expect => ({ verdict: 'unverified', codes });
/** The chip or its data failed a check a genuine document passes. */
const forged = (...codes: string[]): Expect => ({ verdict: 'not-genuine', codes });
/** The fault does not touch anything the verdict rests on. */
const harmless: Expect = { verdict: 'genuine', codes: [] };
const all = (e: Expect): Record<Point, Expect> => Object.fromEntries(POINTS.map((p) => [p, e])) as Record<Point, Expect>;

interface Row {
  readonly name: string;
  readonly fault: object;
  readonly expect: Record<Point, Expect | 'n/a'>;
  /** Other triggers for some points (e.g. a file's first block). */
  readonly at?: Partial<Record<Point, Partial<Record<'bac' | 'pace', object>>>>;
}

// Decisions, point by point. A chip that offers chip authentication (CA in DG14, AA in DG15)
// and does not complete it is failing it: a clone without the private key must do exactly that,
// so every fault *during* CA or AA is "not-genuine". Anywhere else a transport or secure-messaging
// failure ends the reading: "unverified", never "genuine" (the inspection did not check everything
// the chip offers), never "not-genuine" (nothing shows a forgery).
const ROWS: readonly Row[] = [
  { name: 'silence', fault: { fault: 'silence' }, expect: all(ended('TIMEOUT')) },
  { name: 'remove', fault: { fault: 'remove' }, expect: all(ended('DEVICE_GONE')) },
  { name: 'slow beyond the APDU limit', fault: { fault: 'slow', ms: 450 }, expect: all(ended('TIMEOUT')) },
  // Within the per-APDU limit: a slow chip is still a genuine one.
  { name: 'slow within the APDU limit', fault: { fault: 'slow', ms: 40 }, expect: all(harmless) },
  {
    name: 'status 6F00',
    fault: { fault: 'status', sw: '6F00' },
    expect: { 'access control': ended('STATUS'), 'EF.COM': ended('STATUS'), 'EF.SOD': ended('STATUS'), 'mid-DG2': ended('STATUS'), CA: forged('CA_FAILED'), AA: forged('AA_FAILED') },
  },
  {
    // A protected "file not found": the chip, with its keys, says a file is not there.
    name: 'protected status 6A82',
    fault: { fault: 'status', sw: '6A82', level: 'plain' },
    expect: {
      'access control': ended('STATUS'),
      // EF.COM is not signed and the engine takes the data groups from EF.SOD too.
      'EF.COM': harmless,
      // A document without a security object cannot be shown genuine: it is not.
      'EF.SOD': forged('SOD_MALFORMED'),
      'mid-DG2': ended('STATUS'),
      CA: forged('CA_FAILED'),
      AA: forged('AA_FAILED'),
    },
  },
  {
    name: 'corrupt-mac',
    fault: { fault: 'corrupt-mac' },
    // Access-control answers are not protected yet: no MAC to corrupt.
    expect: { 'access control': { ...harmless, lands: false }, 'EF.COM': ended('SM_MAC_INVALID'), 'EF.SOD': ended('SM_MAC_INVALID'), 'mid-DG2': ended('SM_MAC_INVALID'), CA: forged('CA_FAILED'), AA: forged('AA_FAILED') },
  },
  {
    // The chip's own data changed under a valid MAC.
    name: 'corrupt-data',
    fault: { fault: 'corrupt-data' },
    expect: { 'access control': ended('AUTH_FAILED', 'PROTOCOL'), 'EF.COM': harmless, 'EF.SOD': forged('SOD_SIGNATURE_INVALID', 'SOD_MALFORMED'), 'mid-DG2': forged('DG_HASH_MISMATCH'), CA: forged('CA_FAILED'), AA: forged('AA_FAILED') },
  },
  {
    name: 'truncate',
    fault: { fault: 'truncate' },
    expect: { 'access control': ended('STATUS', 'PROTOCOL', 'PARSE'), 'EF.COM': ended('SM_MALFORMED'), 'EF.SOD': ended('SM_MALFORMED'), 'mid-DG2': ended('SM_MALFORMED'), CA: forged('CA_FAILED'), AA: forged('AA_FAILED') },
  },
  {
    // A file that ends before its header says: the chip answers a short block.
    name: 'truncated file',
    fault: { fault: 'truncate', level: 'plain' },
    expect: { 'access control': ended('PROTOCOL', 'AUTH_FAILED', 'STATUS'), 'EF.COM': ended('PROTOCOL'), 'EF.SOD': ended('PROTOCOL'), 'mid-DG2': ended('PROTOCOL'), CA: forged('CA_FAILED'), AA: forged('AA_FAILED') },
  },
  {
    name: 'garbage',
    fault: { fault: 'garbage' },
    expect: { 'access control': ended('STATUS', 'AUTH_FAILED', 'PROTOCOL', 'PARSE'), 'EF.COM': ended('SM_MALFORMED', 'SM_MAC_INVALID'), 'EF.SOD': ended('SM_MALFORMED', 'SM_MAC_INVALID'), 'mid-DG2': ended('SM_MALFORMED', 'SM_MAC_INVALID'), CA: forged('CA_FAILED'), AA: forged('AA_FAILED') },
  },
  {
    // 84 7F FF FF FF in the first block: refused before anything that size is read.
    name: 'oversize-length',
    fault: { fault: 'oversize-length' },
    at: { 'mid-DG2': { bac: { file: 'DG2' }, pace: { file: 'DG2' } } },
    expect: { 'access control': ended('PROTOCOL', 'AUTH_FAILED'), 'EF.COM': ended('FILE_TOO_LARGE'), 'EF.SOD': ended('FILE_TOO_LARGE'), 'mid-DG2': ended('FILE_TOO_LARGE'), CA: forged('CA_FAILED'), AA: forged('AA_FAILED') },
  },
  {
    name: 'malformed-tlv (inner element overruns)',
    fault: { fault: 'malformed-tlv' },
    expect: {
      // GET CHALLENGE and AA signatures are random bytes: the bad-tag row covers them deterministically.
      'access control': 'n/a',
      // EF.COM does not parse (noted in errors) and is not needed: the data groups come from EF.SOD.
      'EF.COM': { verdict: 'genuine', codes: ['PARSE'] },
      'EF.SOD': forged('SOD_MALFORMED'),
      'mid-DG2': forged('DG_HASH_MISMATCH'),
      // CA's GENERAL AUTHENTICATE answer is an empty 7C 00: no nested element to break.
      CA: { ...harmless, lands: false },
      AA: 'n/a',
    },
  },
  {
    name: 'malformed-tlv (bad tag)',
    fault: { fault: 'malformed-tlv', form: 'bad-tag' },
    expect: { 'access control': ended('AUTH_FAILED', 'PROTOCOL'), 'EF.COM': ended('PROTOCOL'), 'EF.SOD': ended('PROTOCOL'), 'mid-DG2': forged('DG_HASH_MISMATCH'), CA: forged('CA_FAILED'), AA: forged('AA_FAILED') },
  },
  {
    name: 'malformed-tlv (indefinite length, no end)',
    fault: { fault: 'malformed-tlv', form: 'indefinite' },
    at: { 'mid-DG2': { bac: { file: 'DG2' }, pace: { file: 'DG2' } } },
    expect: { 'access control': 'n/a', 'EF.COM': ended('PROTOCOL'), 'EF.SOD': ended('PROTOCOL'), 'mid-DG2': ended('PROTOCOL'), CA: 'n/a', AA: 'n/a' },
  },
];

/** What is wrong with a run against its expectation (empty when nothing is). */
function check(r: Run, e: Expect): string[] {
  const problems = violations(r).map((v) => `${v.rule}: ${v.detail}`);
  if (r.report.verdict !== e.verdict) problems.push(`verdict ${r.report.verdict}, expected ${e.verdict} (${r.report.errors.join(' | ')})`);
  const codes = allCodes(r);
  if (e.codes.length > 0 && !e.codes.some((c) => codes.has(c))) problems.push(`reports ${[...codes].join(',') || 'nothing'}, expected ${e.codes.join(' or ')}`);
  if (r.injections.length === 0) problems.push('the fault was never triggered');
  else if (e.lands === false) {
    if (r.injections.some((i) => i.landed !== 'none')) problems.push('the fault changed something');
  } else if (!r.injections.some((i) => i.landed !== 'none')) problems.push('the fault had nothing to change');
  // A reading that ended says why in report.errors.
  if (e.verdict === 'unverified' && r.report.errors.length === 0) problems.push('no error reported');
  return problems;
}

for (const profile of ['bac', 'pace'] as const) {
  t.test(`${profile}: a sound chip is genuine (the baseline every fault departs from)`, { timeout: HARD_TIMEOUT_MS }, async (t) => {
    const fx = await fixture;
    const r = await inspectFaulty(fx, fx.passports[profile], { faults: [] });
    t.same(r.report.errors, []);
    t.equal(r.report.verdict, 'genuine');
    t.same(violations(r), []);
  });
  for (const row of ROWS) {
    t.test(`${profile}: ${row.name}`, { timeout: HARD_TIMEOUT_MS }, async (t) => {
      const fx = await fixture;
      for (const point of POINTS) {
        const e = row.expect[point];
        if (e === 'n/a') continue;
        const after = row.at?.[point]?.[profile] ?? TRIGGERS[profile][point];
        const r = await inspectFaulty(fx, fx.passports[profile], { faults: [{ after, ...row.fault }], random: seededRandom(7) });
        t.same(check(r, e), [], `${row.name} at ${point}: ${r.report.verdict}`);
      }
    });
  }
}

// Through the simulated card reader: its per-APDU timeout, its DeviceGoneError when the card
// leaves the field, and a clean disconnect afterwards (a silent chip is reported mute after 300 ms).
for (const row of ROWS.filter((r) => ['silence', 'remove', 'slow beyond the APDU limit', 'status 6F00', 'corrupt-mac', 'oversize-length'].includes(r.name))) {
  t.test(`through the simulated reader (bac): ${row.name}`, { timeout: HARD_TIMEOUT_MS }, async (t) => {
    const fx = await fixture;
    for (const point of POINTS) {
      const e = row.expect[point];
      if (e === 'n/a') continue;
      const fault = row.name === 'silence' ? { ...row.fault, reportAfterMs: 300 } : row.fault;
      const r = await inspectFaulty(fx, fx.passports.bac, { via: 'reader', faults: [{ after: row.at?.[point]?.bac ?? TRIGGERS.bac[point], ...fault }], random: seededRandom(7) });
      t.same(check(r, e), [], `${row.name} at ${point}: ${r.report.verdict}`);
    }
  });
}

// ---- Engine fixes, one test each (each failed before its fix). ----

t.test('a chip that never answers ends at the per-APDU limit even on a transport without timeouts', { timeout: HARD_TIMEOUT_MS }, async (t) => {
  // Before: the inspection relied on the transport for timeouts and hung for ever here.
  const fx = await fixture;
  const r = await inspectFaulty(fx, fx.passports.bac, { faults: [{ after: { file: 'DG2', block: 2 }, fault: 'silence', reportAfterMs: null }] });
  t.ok(r.report.errors.some((e) => e.startsWith('TIMEOUT: Timeout after 200ms')), r.report.errors.join(' | '));
  t.ok(r.ms < 1500, `ended after ${r.ms} ms`);
  t.equal(r.report.verdict, 'unverified');
});

t.test('the per-document limit ends a chip that answers every APDU just in time', { timeout: HARD_TIMEOUT_MS }, async (t) => {
  const fx = await fixture;
  for (const via of ['direct', 'reader'] as const) {
    const r = await inspectFaulty(fx, fx.passports.bac, { via, faults: [{ after: { apdus: 5 }, fault: 'slow', ms: 120, count: 1000 }] });
    t.ok(r.report.errors.some((e) => /^TIMEOUT: Timeout after 2000ms \[document/.test(e)), `${via}: ${r.report.errors.join(' | ')}`);
    t.ok(r.ms >= 1900 && r.ms < 4000, `${via}: ended after ${r.ms} ms`);
    t.equal(r.report.verdict, 'unverified');
    t.same(violations(r), []);
  }
});

t.test('the caller aborting ends the inspection with ABORTED', { timeout: HARD_TIMEOUT_MS }, async (t) => {
  const fx = await fixture;
  const walkAway = new AbortController();
  setTimeout(() => walkAway.abort(), 300);
  const r = await inspectFaulty(fx, fx.passports.bac, { faults: [{ after: { apdus: 5 }, fault: 'slow', ms: 100, count: 1000 }], signal: walkAway.signal });
  t.ok(r.report.errors.some((e) => e.startsWith('ABORTED: ')), r.report.errors.join(' | '));
  t.ok(r.ms < 1000);
});

t.test('a clone that answers plain status words after chip authentication fails CA', { timeout: HARD_TIMEOUT_MS }, async (t) => {
  // Before: a chip without the CA private key answered every later command with an unprotected
  // 6A82; DG2 and DG15 read as "listed but not on the chip", CA as "pass", the verdict "genuine".
  const fx = await fixture;
  for (const [profile, caApdu] of [['bac', 15], ['pace', 16]] as const) {
    const r = await inspectFaulty(fx, fx.passports[profile], { faults: [{ after: { apdus: caApdu }, fault: 'status', sw: '6A82', count: 1000 }] });
    t.equal(r.report.verdict, 'not-genuine', profile);
    t.ok(r.report.chip.failures.includes('CA_FAILED'), profile);
    t.match(r.report.chip.checks.find((c) => c.method === 'CA')?.detail ?? '', /no response under the new session keys verified/);
  }
});

t.test('CA counts from the first verified response: a failure later in DG2 does not make the chip a clone', { timeout: HARD_TIMEOUT_MS }, async (t) => {
  // Before: CA counted only once the whole first file after it was read, so a status word in
  // DG2's third block turned a genuine chip into "CA_FAILED, not-genuine".
  const fx = await fixture;
  const r = await inspectFaulty(fx, fx.passports.bac, { faults: [{ after: { file: 'DG2', block: 3 }, fault: 'status', sw: '6F00' }] });
  t.equal(r.report.chip.checks.find((c) => c.method === 'CA')?.result, 'pass');
  t.equal(r.report.verdict, 'unverified', 'the reading ended early');
});

t.test('PACE-CAM: an incomplete reading is not genuine, and CAM without DG1 is not performed', { timeout: HARD_TIMEOUT_MS }, async (t) => {
  const fx = await fixture;
  // Before: CAM settles the chip at access control, so a chip falling silent in DG2 was "genuine" with no DG2.
  const midDg2 = await inspectFaulty(fx, fx.passports.cam, { faults: [{ after: { file: 'DG2', block: 3 }, fault: 'silence' }] });
  t.equal(midDg2.report.chip.verdict, 'pass');
  t.equal(midDg2.report.verdict, 'unverified');
  t.same(violations(midDg2), []);
  // Before: without DG1 the issuing state is unknown, EF.CardSecurity's signer check failed, and CAM read "fail".
  const atCom = await inspectFaulty(fx, fx.passports.cam, { faults: [{ after: { file: 'EF.COM' }, fault: 'remove' }] });
  t.equal(atCom.report.chip.checks.find((c) => c.method === 'PACE-CAM')?.result, 'not-performed');
  t.equal(atCom.report.verdict, 'unverified');
  const sound = await inspectFaulty(fx, fx.passports.cam, { faults: [] });
  t.equal(sound.report.verdict, 'genuine', 'a sound CAM chip is still genuine');
});

t.test('EF.SOD not read because the reading ended is "not performed"; EF.SOD absent is a failure', { timeout: HARD_TIMEOUT_MS }, async (t) => {
  const fx = await fixture;
  // Before: both read "fail: SOD_MALFORMED, EF.SOD missing", so a card pulled early was "not-genuine".
  const pulled = await inspectFaulty(fx, fx.passports.bac, { faults: [{ after: { file: 'EF.SOD' }, fault: 'remove' }] });
  t.equal(pulled.report.passive.verdict, 'not-performed');
  t.same(pulled.report.passive.checks.map((c) => c.id), ['sod.read']);
  t.equal(pulled.report.verdict, 'unverified');
  const absent = await inspectFaulty(fx, fx.passports.bac, { faults: [{ after: { file: 'EF.SOD' }, fault: 'status', sw: '6A82', level: 'plain' }] });
  t.equal(absent.report.passive.verdict, 'fail');
  t.ok(absent.report.passive.failures.includes('SOD_MALFORMED'));
});

t.test('a PACE attempt cut off by the transport is in the report', { timeout: HARD_TIMEOUT_MS }, async (t) => {
  // Before: only PACE attempts that failed at the protocol level were listed.
  const fx = await fixture;
  const r = await inspectFaulty(fx, fx.passports.pace, { faults: [{ after: { ins: 0x86, nth: 2 }, fault: 'remove' }] });
  t.same(r.report.access.attempts.map((a) => `${a.protocol}:${a.result}:${(a.error ?? '').split(':')[0]!}`), ['PACE:fail:DEVICE_GONE']);
});

t.test('a chip that withholds a data group EF.SOD signed is not genuine', { timeout: HARD_TIMEOUT_MS }, async (t) => {
  // Before: a chip with the CA key answering a protected 6A82 for DG2 and DG15 read as "genuine".
  const fx = await fixture;
  const r = await inspectFaulty(fx, fx.passports.bac, { faults: [{ after: { apdus: 15 }, fault: 'status', sw: '6A82', level: 'plain', count: 2 }] });
  t.equal(r.report.chip.checks.find((c) => c.method === 'CA')?.result, 'pass', 'the protected answers prove the CA key');
  t.same(Object.keys(r.report.notRead).sort(), ['DG15', 'DG2']);
  t.ok(r.report.errors.includes('DG2: STATUS: listed in EF.SOD, but the chip says it has no such file'));
  t.equal(r.report.verdict, 'unverified');
  t.same(violations(r), []);
});

t.test('an EF.CardAccess offering only unknown PACE parameters gets a typed error', { timeout: HARD_TIMEOUT_MS }, async (t) => {
  // Before: the report's error entry had no code.
  const fx = await fixture;
  const p = fx.passports.pace;
  const ca = p.files.get('EF.CardAccess')!;
  // The PACEInfo's parameterId is the last byte (02 01 0D); 77 is no standardized id (9303-11 Table 6).
  t.equal(ca.at(-1), 13);
  const files = new Map(p.files).set('EF.CardAccess', Buffer.concat([ca.subarray(0, -1), Buffer.from([77])]));
  const r = await inspectFaulty(fx, { files, config: p.config }, { faults: [] });
  t.ok(r.report.errors.includes('EF.CardAccess: UNSUPPORTED: offers only PACE variants this engine does not support'), r.report.errors.join(' | '));
  t.same(violations(r), []);
});

t.test('a folder whose DG14 names an unknown Active Authentication algorithm still makes a chip', { timeout: HARD_TIMEOUT_MS }, async (t) => {
  // Before: building the virtual chip threw a ParseError (kioskctl mrtd read --virtual died).
  const fx = await fixture;
  const p = fx.passports.pace;
  const dg14 = Buffer.from(p.files.get('DG14')!);
  // ecdsa-plain-SHA256 (BSI TR-03111 0.4.0.127.0.7.1.1.4.1.3) becomes the unassigned ...4.1.127.
  const oid = Buffer.from('060a04007f00070101040103', 'hex');
  const at = dg14.indexOf(oid);
  t.ok(at > 0, 'DG14 holds the ActiveAuthenticationInfo');
  dg14[at + oid.length - 1] = 0x7f;
  const r = await inspectFaulty(fx, { files: new Map(p.files).set('DG14', dg14), config: p.config }, { faults: [] });
  t.equal(r.report.verdict, 'not-genuine');
  t.ok(r.report.passive.failures.includes('DG_HASH_MISMATCH'));
  t.ok(r.report.chip.failures.includes('AA_FAILED'));
  t.same(violations(r), []);
});

// ---- Bounded allocation ----

t.test('an oversized declared length is refused before it is read, without allocating it', { timeout: HARD_TIMEOUT_MS }, async (t) => {
  const fx = await fixture;
  for (const length of [0x7fffffff, 0xfffffff0, 0x00210000]) {
    const before = process.memoryUsage().arrayBuffers;
    const r = await inspectFaulty(fx, fx.passports.bac, { faults: [{ after: { file: 'DG2' }, fault: 'oversize-length', length }] });
    const grew = process.memoryUsage().arrayBuffers - before;
    t.ok(r.report.errors.some((e) => e.startsWith('FILE_TOO_LARGE: ')), `${length}: ${r.report.errors.join(' | ')}`);
    t.ok(grew < 16 * 1024 * 1024, `${length}: array buffers grew by ${grew} bytes`);
    // The faulted block was the last READ BINARY of DG2: nothing more was asked for.
    const i = r.exchanges.findIndex((e, k) => e.ins === 0xb0 && r.injections[0]?.apdu === k + 1);
    t.equal(r.exchanges.slice(i + 1).filter((e) => e.ins === 0xb0).length, 0, 'no read after the oversized header');
  }
  // A file with no end (indefinite length) is read up to the policy's limit, not without end.
  const r = await inspectFaulty(fx, fx.passports.bac, { faults: [{ after: { file: 'DG2' }, fault: 'malformed-tlv', form: 'indefinite' }], policy: { maxFileBytes: 4096 } });
  t.ok(r.report.errors.some((e) => /^(PROTOCOL|FILE_TOO_LARGE): /.test(e)), r.report.errors.join(' | '));
  t.ok(r.report.stats.bytesIn < 64 * 1024, `${r.report.stats.bytesIn} bytes in`);
});

// ---- chip.json and the CLI's wiring ----

t.test('a passport folder carries its faults in chip.json; kioskctl\'s card source serves them through the reader', { timeout: HARD_TIMEOUT_MS }, async (t) => {
  const fx = await fixture;
  const folder = fx.folders.bac;
  const original = readFileSync(join(folder, 'chip.json'), 'utf8');
  t.teardown(() => writeFileSync(join(folder, 'chip.json'), original));
  const chip = JSON.parse(original) as Record<string, unknown>;
  chip.faults = [{ after: { file: 'DG2', block: 2 }, fault: 'remove' }];
  writeFileSync(join(folder, 'chip.json'), JSON.stringify(chip));
  const passport = await loadPassportFolder(folder);
  t.equal(passport.config.faults?.[0]?.fault, 'remove');
  const log: string[] = [];
  const logger = new LineLogger({ level: 'debug', write: (l) => log.push(l) });
  const opened = await openCardChannel({ kind: 'virtual', passport }, { native, logger });
  try {
    const { report } = await inspectDocument(
      { card: opened.card, extendedLength: opened.extendedLength, access: { mrz: MRZ }, trust: fx.trust, policy: POLICY },
      { native, random: systemRandom, logger, now: () => new Date(), protocols: defaultProtocols() },
    );
    t.ok(report.errors.some((e) => e.startsWith('DEVICE_GONE: ')), report.errors.join(' | '));
    t.equal(report.verdict, 'unverified');
    await new Promise((r) => setImmediate(r));
    t.equal(opened.card.open, false, 'the card left the reader: its channel is closed');
  } finally {
    await opened.close();
  }
  t.match(log.join('\n'), /fault injected/);
  t.notMatch(log.join('\n'), /ERIKSSON|L898902C|740812/);
});

// ---- Property: any sequence of faults, the same invariants ----

const trigger = fc.oneof(
  fc.record({ apdus: fc.integer({ min: 0, max: 90 }) }),
  fc.record({ ins: fc.constantFrom(0x84, 0x82, 0x22, 0x86, 0xa4, 0xb0, 0x88), nth: fc.integer({ min: 1, max: 6 }) }),
  fc.record({ file: fc.constantFrom('EF.CardAccess', 'EF.COM', 'EF.SOD', 'DG1', 'DG2', 'DG14', 'DG15'), block: fc.integer({ min: 1, max: 4 }) }),
);
const fault = fc.oneof(
  fc.constant({ fault: 'silence', reportAfterMs: 300 }),
  fc.constant({ fault: 'remove' }),
  fc.record({ fault: fc.constant('status'), sw: fc.constantFrom('6F00', '6A82', '6982', '6700', '6C10', '6282', '9000', '6B00', '6988'), level: fc.constantFrom('wire', 'plain') }),
  fc.constant({ fault: 'corrupt-mac' }),
  fc.record({ fault: fc.constant('corrupt-data'), level: fc.constantFrom('wire', 'plain') }),
  fc.record({ fault: fc.constant('truncate'), keep: fc.integer({ min: 0, max: 40 }), level: fc.constantFrom('wire', 'plain') }),
  fc.record({ fault: fc.constant('garbage'), length: fc.integer({ min: 0, max: 300 }) }),
  fc.record({ fault: fc.constant('oversize-length'), length: fc.integer({ min: 0, max: 0xffffffff }) }),
  fc.record({ fault: fc.constant('malformed-tlv'), form: fc.constantFrom('bad-tag', 'long-length', 'indefinite', 'inner-overrun') }),
  fc.record({ fault: fc.constant('slow'), ms: fc.integer({ min: 1, max: 260 }) }),
);
const faultList = fc.array(fc.tuple(trigger, fault, fc.integer({ min: 1, max: 3 })).map(([after, f, count]) => (f.fault === 'silence' || f.fault === 'remove' ? { after, ...f } : { after, ...f, count })), { minLength: 1, maxLength: 3 });

t.test('property: generated fault sequences against generated passports keep every invariant', { timeout: 240000 }, async (t) => {
  const fx = await fixture;
  let runs = 0;
  const seen = new Set<string>();
  await fc.assert(
    fc.asyncProperty(faultList, fc.constantFrom<Profile>('bac', 'pace', 'cam'), fc.constantFrom<'direct' | 'reader'>('direct', 'reader'), fc.integer(), async (faults, profile, via, seed) => {
      runs++;
      const r = await inspectFaulty(fx, fx.passports[profile], { faults, via, random: seededRandom(seed) });
      seen.add(r.report.verdict);
      const v = violations(r);
      if (v.length > 0) throw new Error(`${JSON.stringify(v)} for ${JSON.stringify(faults)} on ${profile} via ${via}`);
      // Bounded: every run ends within the document limit plus one APDU limit and a margin.
      if (r.ms > 2000 + 200 + 1500) throw new Error(`took ${r.ms} ms for ${JSON.stringify(faults)}`);
      // Nothing injected, nothing lost: a run whose faults never fired is the sound chip's.
      if (r.injections.length === 0 && r.report.verdict !== 'genuine') throw new Error(`no fault fired but ${r.report.verdict}: ${r.report.errors.join(' | ')}`);
    }),
    { numRuns: 50, seed: 20240601, endOnFailure: true },
  );
  t.equal(runs, 50);
  t.ok(seen.size >= 2, `verdicts seen: ${[...seen].join(', ')}`);
});
