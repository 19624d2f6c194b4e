// The hostile-chip tests' harness: generated passports, a run of the whole inspection against a
// FaultyChip (in process, or through the simulated card reader), a transcript of what the
// terminal actually received, the captured debug log, and the invariants every run must keep
// whatever the chip did. Not a test file itself (no `.test.ts`): hostile-chip.test.ts uses it.
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { MrtdNative } from '../../src/native/mrtd.js';
import { makePassport, type MakePassportOptions } from '../../src/mrtd/generator/make-passport.js';
import { loadPassportFolder, type VirtualPassport } from '../../src/mrtd/chip/folder.js';
import { FaultyChip, type Injection } from '../../src/mrtd/chip/faults.js';
import { chipAtr, type ChipLike } from '../../src/mrtd/chip/link.js';
import { virtualChipOf } from '../../src/cli/card-source.js';
import { SimulatedCardReader } from '../../src/devices/card-reader/simulated.js';
import { systemRandom } from '../../src/mrtd/card.js';
import { inspectDocument, type InspectionPolicy, type InspectionResult } from '../../src/mrtd/inspection/inspect.js';
import { defaultProtocols } from '../../src/mrtd/inspection/default-protocols.js';
import { loadTrustStore, type TrustStore } from '../../src/mrtd/pki/trust-store.js';
import { LineLogger } from '../../src/log.js';
import type { Transceiver } from '../../src/mrtd/apdu.js';

export const native = new MrtdNative();
export const MRZ = 'P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10';
/** What must never reach a log line: names, the document number, dates of birth and expiry, the MRZ information. */
export const SECRETS = ['ERIKSSON', 'ANNA', 'MARIA', 'L898902C', '740812', '120415', 'L898902C3674081221204159'];

/** Small on purpose: every hang the engine allows shows up within seconds. */
export const POLICY: Partial<InspectionPolicy> = { apduTimeoutMs: 200, documentTimeoutMs: 2000 };
/** A hard limit per test, well above the policy's limits. */
export const HARD_TIMEOUT_MS = 15000;

export type Profile = 'bac' | 'pace' | 'cam';

const PROFILES: Record<Profile, Partial<MakePassportOptions>> = {
  // BAC, CA (ECDH) and AA (RSA-1024), short APDUs only: DG2 comes in many blocks.
  bac: { bac: true, ca: 'ecdh', aa: 'rsa', quirks: { extendedLength: false } },
  // PACE-GM, CA (ECDH) and AA (ECDSA), extended length.
  pace: { pace: { keyAgreement: 'ECDH', mapping: 'GM', cipher: 'AES-128', parameterId: 13 }, bac: false, ca: 'ecdh', aa: 'ecdsa', quirks: { extendedLength: true, maxResponseBytes: 1024 } },
  // PACE-CAM: chip authentication is settled during access control.
  cam: { pace: { keyAgreement: 'ECDH', mapping: 'CAM', cipher: 'AES-128', parameterId: 13 }, bac: false, quirks: { extendedLength: false } },
};

export interface Fixture {
  readonly dir: string;
  readonly passports: Record<Profile, VirtualPassport>;
  readonly folders: Record<Profile, string>;
  readonly trust: TrustStore;
  cleanup(): void;
}

export async function makeFixture(): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), 'hostile-chip-'));
  const pki = join(dir, 'pki');
  const base: MakePassportOptions = {
    outDir: '', mrz: MRZ, pkiDir: pki, bac: true, dg2Format: 'ISO19794-5', hash: 'sha256', signer: 'ecdsa',
    explicitParameters: false, quirks: {}, extraStates: { UTO: 'UT' },
  };
  const folders = {} as Record<Profile, string>;
  const passports = {} as Record<Profile, VirtualPassport>;
  for (const p of Object.keys(PROFILES) as Profile[]) {
    folders[p] = join(dir, p);
    await makePassport({ ...base, ...PROFILES[p], outDir: folders[p] }, { now: () => new Date() });
    passports[p] = await loadPassportFolder(folders[p]);
  }
  const trust = await loadTrustStore(join(pki, 'trust'));
  return { dir, passports, folders, trust, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface Exchange {
  readonly ins: number;
  /** The status word the terminal received (-1 when the answer was shorter than 2 bytes); undefined when none came. */
  sw?: number;
  readonly protectedCommand: boolean;
  /** The answer carried data objects beyond the status word (a secure-messaging response does). */
  protectedAnswer?: boolean;
}

/** Records what the terminal received from the (faulty) chip. */
class Recorder implements ChipLike {
  readonly exchanges: Exchange[] = [];
  readonly #chip: ChipLike;
  constructor(chip: ChipLike) {
    this.#chip = chip;
  }
  get atr(): Buffer {
    return chipAtr(this.#chip);
  }
  reset(): void {
    this.#chip.reset?.();
  }
  async process(command: Buffer): Promise<Buffer> {
    const e: Exchange = { ins: command[1] ?? -1, protectedCommand: ((command[0] ?? 0) & 0x0c) === 0x0c };
    this.exchanges.push(e);
    const r = await this.#chip.process(command);
    e.sw = r.length >= 2 ? r.readUInt16BE(r.length - 2) : -1;
    e.protectedAnswer = r.length > 2 && r[0] !== undefined && [0x85, 0x87, 0x99].includes(r[0]);
    return r;
  }
}

export interface Run extends InspectionResult {
  readonly injections: readonly Injection[];
  readonly exchanges: readonly Exchange[];
  readonly log: readonly string[];
  readonly ms: number;
  /** The data groups the passport has. */
  readonly offered: readonly string[];
}

export interface RunOptions {
  readonly via?: 'direct' | 'reader';
  readonly policy?: Partial<InspectionPolicy>;
  /** The chip as the folder describes it, else this fault list (validated by FaultyChip). */
  readonly faults?: unknown;
  /** The random source of `garbage` (a seeded one keeps a case reproducible). */
  readonly random?: (n: number) => Buffer;
  /** The caller's abort (the applicant walked away). */
  readonly signal?: AbortSignal;
}

/** A deterministic byte source (xorshift32) for reproducible `garbage`. */
export function seededRandom(seed: number): (n: number) => Buffer {
  let x = seed >>> 0 || 1;
  return (n) => {
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i++) {
      x ^= x << 13;
      x >>>= 0;
      x ^= x >>> 17;
      x ^= x << 5;
      x >>>= 0;
      out[i] = x & 0xff;
    }
    return out;
  };
}

/**
 * One whole inspection of `passport` behind `faults`. The chip is built as `kioskctl mrtd read
 * --virtual` builds it (virtualChipOf: chip.json's faults, the reader's `remove` hook).
 */
export async function inspectFaulty(fx: Fixture, passport: VirtualPassport, o: RunOptions = {}): Promise<Run> {
  const log: string[] = [];
  const logger = new LineLogger({ level: 'debug', write: (l) => log.push(l) });
  const config = o.faults === undefined ? passport.config : { ...passport.config, faults: [] };
  let onRemove = (): void => undefined;
  const built = virtualChipOf({ files: passport.files, config }, native, { onRemove: () => { onRemove(); }, logger });
  const faulty = o.faults === undefined ? built : new FaultyChip(built, o.faults, { onRemove: () => { onRemove(); }, logger, ...(o.random ? { random: o.random } : {}) });
  const recorder = new Recorder(faulty);
  const deps = { native, random: systemRandom, logger, now: () => new Date(), protocols: defaultProtocols() };
  const policy = { ...POLICY, ...o.policy };
  const started = Date.now();
  let result: InspectionResult;
  if ((o.via ?? 'direct') === 'direct') {
    const card: Transceiver = { transceive: (c) => recorder.process(c) };
    result = await inspectDocument({ card, extendedLength: passport.config.quirks.extendedLength, access: { mrz: MRZ }, trust: fx.trust, policy, ...(o.signal ? { signal: o.signal } : {}) }, deps);
  } else {
    const reader = new SimulatedCardReader({ logger });
    onRemove = () => {
      reader.remove();
    };
    const stop = new AbortController();
    await reader.start(stop.signal);
    reader.insert(recorder);
    const card = await reader.connect();
    try {
      result = await inspectDocument({ card, extendedLength: card.extendedLength.supported, access: { mrz: MRZ }, trust: fx.trust, policy, ...(o.signal ? { signal: o.signal } : {}) }, deps);
    } finally {
      await card.disconnect();
      await reader.stop();
    }
  }
  const injections = faulty instanceof FaultyChip ? faulty.injections : [];
  const offered = [...passport.files.keys()].filter((n) => /^DG\d+$/.test(n));
  return { ...result, injections, exchanges: recorder.exchanges, log, ms: Date.now() - started, offered };
}

/** Error codes of the engine's typed errors (src/errors.ts, src/mrtd/errors.ts). */
export const ERROR_CODES = ['PARSE', 'TIMEOUT', 'ABORTED', 'DEVICE_GONE', 'STATUS', 'SM_MAC_INVALID', 'SM_MALFORMED', 'AUTH_FAILED', 'PROTOCOL', 'UNSUPPORTED', 'FILE_TOO_LARGE', 'SESSION_CLOSED', 'NATIVE'];
const TYPED = new RegExp(`^(?:(?:EF\\.[A-Za-z/]+|DG\\d{1,2}): )?(${ERROR_CODES.join('|')}): `);

/** The code of each report error (undefined for an untyped one). */
export const errorCodes = (r: Run): (string | undefined)[] => r.report.errors.map((e) => TYPED.exec(e)?.[1]);

/** Every code a run reports anywhere: errors, chip and passive failures, failed access attempts. */
export function allCodes(r: Run): Set<string> {
  const s = new Set<string>();
  for (const c of errorCodes(r)) if (c) s.add(c);
  for (const c of r.report.chip.failures) s.add(c);
  for (const c of r.report.passive.failures) s.add(c);
  for (const a of r.report.access.attempts) if (a.error) s.add(a.error.split(':')[0]!);
  return s;
}

const answered = (e: Exchange): boolean => e.sw === 0x9000;


export interface Violation {
  readonly rule: string;
  readonly detail: string;
}

/**
 * What must hold after any run, whatever the chip did: typed errors, no check that reads
 * "pass" for something that did not run, an access protocol only when its attempt passed, a
 * genuine verdict only for a complete reading, and no personal data or key material in the log.
 */
export function violations(r: Run): Violation[] {
  const v: Violation[] = [];
  const rep = r.report;
  const bad = (rule: string, detail: string): void => {
    v.push({ rule, detail });
  };
  if (!['genuine', 'not-genuine', 'unverified'].includes(rep.verdict)) bad('verdict', rep.verdict);
  rep.errors.forEach((e, i) => {
    if (!TYPED.test(e)) bad('typed error', `errors[${i}] has no typed code: ${e.slice(0, 80)}`);
  });
  // Access: the protocol reported is one whose attempt passed.
  if (rep.access.protocol !== 'none' && !rep.access.attempts.some((a) => a.protocol === rep.access.protocol && a.result === 'pass')) bad('access', 'protocol without a passing attempt');
  // Chip checks: pass only for what ran and was answered.
  for (const c of rep.chip.checks) {
    if (c.result !== 'pass') continue;
    if (c.method === 'AA' && !r.exchanges.some((e) => e.ins === 0x88 && answered(e))) bad('AA pass', 'no INTERNAL AUTHENTICATE was answered');
    if (c.method === 'CA') {
      // Chip Authentication: its GENERAL AUTHENTICATE or MSE:Set KAT answered, then a protected
      // answer (secure-messaging objects, not a bare status word) that no fault touched on the wire.
      const wireFaulted = new Set(r.injections.filter((i) => i.landed === 'wire' && i.fault !== 'slow').map((i) => i.apdu));
      const last = r.exchanges.findLastIndex((e) => (e.ins === 0x86 || e.ins === 0x22) && e.protectedCommand && answered(e));
      if (last < 0 || !r.exchanges.slice(last + 1).some((e, k) => e.protectedCommand && e.protectedAnswer === true && !wireFaulted.has(last + 2 + k))) bad('CA pass', 'no protected answer under the new keys');
    }
    if (c.method === 'PACE-CAM' && !(rep.access.protocol === 'PACE' && rep.access.variant?.includes('CAM'))) bad('PACE-CAM pass', 'no PACE-CAM access');
  }
  if (rep.chip.verdict === 'pass' && !rep.chip.checks.some((c) => c.result === 'pass')) bad('chip pass', 'no passing check');
  // Passive: a data group passes only when it was read; the verdict only with EF.SOD read.
  for (const c of rep.passive.checks) {
    const m = /^dg\.(DG\d+)$/.exec(c.id);
    if (c.result === 'pass' && m && !r.files.has(m[1]!)) bad('passive pass', `${m[1]!} not read`);
  }
  if (rep.passive.verdict === 'pass' && !r.files.has('EF.SOD')) bad('passive pass', 'EF.SOD not read');
  if (rep.verdict === 'genuine') {
    for (const f of ['EF.SOD', 'DG1']) if (!r.files.has(f)) bad('genuine', `${f} not read`);
    // Every data group the chip lists was read, or the report says why not.
    for (const dg of r.offered) if (!r.files.has(dg) && r.report.notRead[dg] === undefined) bad('genuine', `${dg} neither read nor explained`);
    if (rep.errors.some((e) => /^(TIMEOUT|ABORTED|DEVICE_GONE|SESSION_CLOSED): /.test(e))) bad('genuine', 'the reading ended early');
  }
  // The log: no personal data, no key material (long hex runs, PEM).
  const all = r.log.join('\n');
  for (const s of SECRETS) if (all.includes(s)) bad('log', `contains personal data (${s.length} chars)`);
  if (/[0-9A-Fa-f]{32,}/.test(all)) bad('log', 'contains a long hex run');
  if (/PRIVATE KEY|BEGIN /.test(all)) bad('log', 'contains PEM');
  return v;
}
