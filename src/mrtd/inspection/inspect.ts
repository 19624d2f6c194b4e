// The inspection of one document's chip, as the kiosk does it (ICAO 9303-11 §4.2, §5, §6;
// CONFORMANCE.md "mrtd read"): access control (PACE where offered, else BAC), every file the
// chip offers, passive authentication, chip authentication (PACE-CAM, CA, AA), and a report
// in which every check says whether it ran. A PACE that fails is reported; BAC after it only
// when the policy allows, and then the report shows both attempts.
import { createHash } from 'node:crypto';
import { errorSummary, isAbortedError, isDeviceGoneError, isTimeoutError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { MrtdNative } from '../../native/mrtd.js';
import { CountingTransceiver, swHex, type OpOptions, type Transceiver } from '../apdu.js';
import { sendOk, type RandomSource } from '../card.js';
import { isMrtdError, MrtdError } from '../errors.js';
import { comDataGroups, parseEfCom } from '../lds/com.js';
import { parseDg1 } from '../lds/dg1.js';
import { parseDg15 } from '../lds/dg15.js';
import { faceImages, parseDg2 } from '../lds/dg2.js';
import { imageDimensions, sniffImageFormat } from '../lds/image-format.js';
import { EMRTD_AID, ldsFile, type LdsFileInfo, type LdsFileName } from '../lds/files.js';
import { paceInfos, type SecurityInfo } from '../lds/security-infos.js';
import { parseCardSecurityContent, parseDg14Infos, parseSecurityInfosSafe, sodDataGroups } from './lds-content.js';
import { accessMrzInformation, type Mrz } from '../mrz.js';
import { authenticateCardSecurity, passiveAuthentication } from '../pki/passive.js';
import type { EcdsaVerifyExplicit } from '../pki/signature.js';
import type { TrustStore } from '../pki/trust-store.js';
import type { SecureChannel } from '../sm/channel.js';
import { blockLength } from '../sm/keys.js';
import { BoundedTransceiver } from './bounded-card.js';
import { ResponseCompletingTransceiver } from '../transport-t0.js';
import { extendedLengthInfo, FileReader, type FileReaderFactory, type LdsFileReader } from './read-file.js';
import type { InspectionProtocols, PacePassword } from './protocols.js';
import { overallVerdict, type ChipCheck, type ChipReport, type InspectionReport } from './report.js';

const NS = 'kiosk:mrtd:inspect';

export interface InspectionPolicy {
  /** Try BAC when PACE fails and the chip may support BAC (reported either way). Default false. */
  readonly allowBacAfterPaceFailure: boolean;
  readonly apduTimeoutMs: number;
  /** The whole inspection's limit (a chip that stops answering mid-file ends here). */
  readonly documentTimeoutMs: number;
  readonly maxFileBytes: number;
  /** Issuing-state codes outside ISO 3166 that the deployment accepts (e.g. UTO for specimens). */
  readonly extraStates: Readonly<Record<string, string>>;
}

export const DEFAULT_POLICY: InspectionPolicy = {
  allowBacAfterPaceFailure: false,
  apduTimeoutMs: 5000,
  documentTimeoutMs: 60000,
  maxFileBytes: 2 * 1024 * 1024,
  extraStates: { UTO: 'UT' },
};

export interface InspectionRequest {
  readonly card: Transceiver;
  /** What the reader and chip are known to support (from the ATR or configuration). */
  readonly extendedLength: boolean;
  /** The full MRZ or the MRZ information; or the CAN. */
  readonly access: { readonly mrz: string } | { readonly can: string };
  readonly trust: TrustStore;
  readonly policy?: Partial<InspectionPolicy>;
  readonly signal?: AbortSignal;
}

export interface InspectionDeps {
  readonly native: MrtdNative;
  readonly random: RandomSource;
  readonly logger: Logger;
  readonly now: () => Date;
  readonly protocols: InspectionProtocols;
  /** How files are read; the adaptive FileReader unless a comparison needs another. */
  readonly fileReader?: FileReaderFactory;
}

export interface InspectionResult {
  readonly report: InspectionReport;
  /** The files as read (raw bytes), by LDS name. */
  readonly files: ReadonlyMap<string, Buffer>;
  readonly mrz: Mrz | undefined;
}

/** Data groups read in this order: DG1 (the issuing state for every later check), DG14 (chip authentication then protects the rest), DG15 last. */
const READ_ORDER: readonly LdsFileName[] = ['DG1', 'DG14', 'DG2', 'DG5', 'DG6', 'DG7', 'DG8', 'DG9', 'DG10', 'DG11', 'DG12', 'DG13', 'DG16', 'DG15'];

export async function inspectDocument(req: InspectionRequest, deps: InspectionDeps): Promise<InspectionResult> {
  return new Inspection(req, deps).run();
}

/**
 * One inspection's state. `read()` talks to the chip (access control, files, chip
 * authentication) and may end early on a chip or transport failure; `judge()` always runs
 * afterwards on whatever was read, so a report never lacks the checks that were possible.
 */
class Inspection {
  readonly #req: InspectionRequest;
  readonly #deps: InspectionDeps;
  readonly #policy: InspectionPolicy;
  readonly #op: OpOptions;
  readonly #card: CountingTransceiver;
  readonly #ctx: { native: MrtdNative; random: RandomSource };
  readonly #files = new Map<string, Buffer>();
  readonly #checks: ChipCheck[] = [];
  readonly #readers: LdsFileReader[] = [];
  readonly #report: InspectionReport = {
    access: { protocol: 'none', attempts: [] },
    files: {},
    notRead: {},
    passive: { verdict: 'not-performed', failures: [], checks: [] },
    chip: { verdict: 'not-performed', failures: [], checks: [] },
    consistency: [],
    verdict: 'unverified',
    errors: [],
    stats: { apdus: 0, bytesIn: 0, bytesOut: 0, ms: 0, reads: 0, blockSize: 0 },
  };
  #mrz: Mrz | undefined;
  #cam: Access['verifyCam'];
  #dg14Infos: SecurityInfo[] | undefined;
  /** True when reading went through to the end (else what the chip offers is not fully known). */
  #complete = false;
  /** The chip said it has no EF.SOD (as opposed to the reading ending before it was read). */
  #sodAbsent = false;
  /** The chip said it lacks a data group that EF.SOD lists. */
  #signedMissing = false;

  constructor(req: InspectionRequest, deps: InspectionDeps) {
    this.#req = req;
    this.#deps = deps;
    this.#policy = { ...DEFAULT_POLICY, ...req.policy };
    const limit = AbortSignal.timeout(this.#policy.documentTimeoutMs);
    this.#op = { signal: req.signal ? AbortSignal.any([req.signal, limit]) : limit, timeoutMs: this.#policy.apduTimeoutMs };
    // The inspection bounds the chip itself, whatever the transport does (./bounded-card.ts).
    this.#card = new CountingTransceiver(
      new BoundedTransceiver(new ResponseCompletingTransceiver(req.card), { apduTimeoutMs: this.#policy.apduTimeoutMs, documentTimeoutMs: this.#policy.documentTimeoutMs, deadline: limit, signal: req.signal }),
    );
    this.#ctx = { native: deps.native, random: deps.random };
  }

  async run(): Promise<InspectionResult> {
    const started = Date.now();
    try {
      await this.#read();
    } catch (e) {
      this.#report.errors.push(errorSummary(e));
      this.#deps.logger.warn(NS, 'chip reading ended early', { error: isMrtdError(e) ? e.code : e instanceof Error ? e.name : 'error', step: isMrtdError(e) ? e.step : undefined });
    }
    this.#judge();
    this.#report.stats = {
      ...this.#card.stats,
      ms: Date.now() - started,
      reads: this.#readers.reduce((s, r) => s + r.stats.reads, 0),
      blockSize: this.#readers.at(-1)?.blockSize ?? 0,
    };
    return { report: this.#report, files: this.#files, mrz: this.#mrz };
  }

  #keep(name: string, bytes: Buffer): void {
    this.#files.set(name, bytes);
    this.#report.files[name] = { bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
  }

  #reader(channel: Transceiver, smBlock: 8 | 16 | undefined, maxResponse?: number): LdsFileReader {
    const make: FileReaderFactory = this.#deps.fileReader ?? ((c, o) => new FileReader(c, o));
    const r = make(channel, {
      extendedLength: smBlock === undefined ? false : this.#req.extendedLength,
      ...(maxResponse ? { maxResponseBytes: maxResponse } : {}),
      smBlock,
      maxFileBytes: this.#policy.maxFileBytes,
    });
    this.#readers.push(r);
    return r;
  }

  async #read(): Promise<void> {
    const op = this.#op;
    const report = this.#report;
    // 1. The MF: EF.CardAccess (PACE parameters) and EF.ATR/INFO (buffer sizes), unprotected.
    const plain = this.#reader(this.#card, undefined);
    const cardAccess = await readOptional(plain, ldsFile('EF.CardAccess'), op, report);
    const atrInfo = await readOptional(plain, ldsFile('EF.ATR/INFO'), op, report);
    if (atrInfo) this.#keep('EF.ATR/INFO', atrInfo);
    const maxResponse = atrInfo ? extendedLengthInfo(atrInfo)?.maxResponse : undefined;
    let accessInfos: SecurityInfo[] = [];
    if (cardAccess) {
      this.#keep('EF.CardAccess', cardAccess);
      accessInfos = parseSecurityInfosSafe(cardAccess, 'EF.CardAccess', report.errors);
    }

    // 2. Access control.
    const access = await establishAccess(this.#card, this.#req, accessInfos, this.#policy, this.#ctx, this.#deps, op, report);
    this.#cam = access.verifyCam;
    let channel = access.channel;
    // Without extended length, long commands (e.g. a DH key in MSE:Set KAT) go chained.
    channel.chainLongCommands(!this.#req.extendedLength);
    let files = this.#reader(channel, blockLength(channel.keys.cipher), maxResponse);

    // 3. EF.CardSecurity (MF, readable after PACE: its signed SecurityInfos, and PACE-CAM's
    //    static key): read it before the application is selected.
    if (access.protocol === 'PACE') {
      const cs = await readOptional(files, ldsFile('EF.CardSecurity'), op, report);
      if (cs) this.#keep('EF.CardSecurity', cs);
    }
    if (access.protocol === 'PACE') {
      await sendOk(channel, { cla: 0x00, ins: 0xa4, p1: 0x04, p2: 0x0c, data: EMRTD_AID }, 'SELECT', 'eMRTD application', op);
    }

    // 4. EF.COM and EF.SOD, then the data groups either lists.
    const com = await files.read(ldsFile('EF.COM'), op);
    if (com) this.#keep('EF.COM', com);
    const sod = await files.read(ldsFile('EF.SOD'), op);
    if (sod) this.#keep('EF.SOD', sod);
    else this.#sodAbsent = true;
    const listed = new Set<string>();
    if (com) {
      try {
        for (const dg of comDataGroups(parseEfCom(com))) listed.add(dg);
      } catch (e) {
        report.errors.push(`EF.COM: ${errorSummary(e)}`);
      }
    }
    const signed = new Set(sod ? sodDataGroups(sod, report.errors).map((n) => `DG${n}`) : []);
    for (const dg of signed) listed.add(dg);
    for (const name of ['DG3', 'DG4']) {
      if (listed.has(name)) report.notRead[name] = 'present, not read: needs Terminal Authentication (EAC)';
    }

    // 5. Data groups; chip authentication right after DG14 so that the rest travels under it.
    //    CA counts only once a command under the new keys succeeded (9303-11 §6.2).
    let caPending: string | undefined;
    const caFailed = (detail: string): never => {
      this.#checks.push({ method: 'CA', result: 'fail', code: 'CA_FAILED', detail });
      throw new MrtdError('AUTH_FAILED', 'CA', 'chip authentication failed; the session is over');
    };
    // The first response whose MAC verifies under the new keys proves that the chip holds the
    // private key, whatever happens after it; an unprotected status word proves nothing (a
    // clone without the key can send those), and neither does a file the chip says it lacks.
    const settleCa = (): void => {
      if (caPending !== undefined && channel.verifiedResponses > 0) {
        this.#checks.push({ method: 'CA', result: 'pass', detail: caPending });
        caPending = undefined;
      }
    };
    const readUnderCa = async (f: LdsFileInfo): Promise<Buffer | undefined> => {
      try {
        const bytes = await files.read(f, op);
        settleCa();
        return bytes;
      } catch (e) {
        settleCa();
        if (caPending !== undefined && isMrtdError(e) && ['SM_MAC_INVALID', 'SM_MALFORMED', 'SESSION_CLOSED', 'STATUS'].includes(e.code)) {
          return caFailed(`the chip could not continue under the new keys (${e.code})`);
        }
        throw e;
      }
    };
    for (const name of READ_ORDER) {
      if (!listed.has(name)) continue;
      const bytes = await readUnderCa(ldsFile(name));
      if (!bytes) {
        report.notRead[name] = 'listed but not on the chip';
        // EF.SOD signed it, so the document has it: a chip that will not give it has not been read in full.
        if (signed.has(name)) {
          this.#signedMissing = true;
          report.errors.push(`${name}: STATUS: listed in EF.SOD, but the chip says it has no such file`);
        }
        continue;
      }
      this.#keep(name, bytes);
      if (name === 'DG1') {
        try {
          this.#mrz = parseDg1(bytes).mrz;
        } catch (e) {
          report.errors.push(`DG1: ${errorSummary(e)}`);
        }
      }
      if (name !== 'DG14') continue;
      this.#dg14Infos = parseDg14Infos(bytes, report.errors);
      if (access.verifyCam || !this.#dg14Infos?.some((i) => i.type === 'ChipAuthenticationPublicKeyInfo')) continue;
      try {
        const ca = await this.#deps.protocols.chipAuthentication(this.#card, channel, this.#dg14Infos, this.#ctx, op);
        channel = ca.channel;
        channel.chainLongCommands(!this.#req.extendedLength);
        files = this.#reader(channel, blockLength(channel.keys.cipher), maxResponse);
        caPending = ca.description;
      } catch (e) {
        if (!isMrtdError(e)) throw e;
        caFailed(errorSummary(e));
      }
    }
    // Nothing was read after chip authentication: prove it with one more protected read. A chip
    // that has still not answered under the new keys has not shown that it holds the key.
    if (caPending !== undefined) await readUnderCa(ldsFile('EF.COM'));
    if (caPending !== undefined) caFailed('no response under the new session keys verified');

    // 6. Active Authentication.
    const dg15 = this.#files.get('DG15');
    if (dg15) {
      try {
        const aa = await this.#deps.protocols.activeAuthentication(channel, parseDg15(dg15), this.#dg14Infos, this.#ctx, op);
        this.#checks.push({ method: 'AA', result: aa.verified ? 'pass' : 'fail', ...(aa.verified ? {} : { code: 'AA_FAILED' as const }), detail: aa.detail ?? aa.algorithm });
      } catch (e) {
        if (isTransportFailure(e)) throw e;
        this.#checks.push({ method: 'AA', result: 'fail', code: 'AA_FAILED', detail: errorSummary(e) });
      }
    }
    this.#complete = true;
  }

  /** Everything that needs no chip: PACE-CAM's key check, passive authentication, consistency, verdict. */
  #judge(): void {
    const report = this.#report;
    const issuing = this.#mrz?.issuer ?? '';
    const signer = { issuingState: issuing, trustStore: this.#req.trust, now: this.#deps.now(), extraStates: this.#policy.extraStates, ecdsaVerifyExplicit: explicitVerifier(this.#deps.native) };
    // EF.CardSecurity is authenticated like EF.SOD (its signer against the trust store and the
    // issuing state, which DG1 gives); PACE-CAM trusts the static key in it only after that.
    const cs = this.#files.get('EF.CardSecurity');
    let csInfos: SecurityInfo[] | undefined;
    if (cs && this.#mrz) {
      const pa = authenticateCardSecurity(cs, signer);
      report.cardSecurity = { verdict: pa.verdict, failures: [...pa.failures], checks: pa.checks };
      if (pa.verdict === 'pass') csInfos = parseCardSecurityContent(cs, report.errors);
    } else if (cs) {
      report.cardSecurity = { verdict: 'not-performed', failures: [], checks: [{ id: 'cardSecurity.signature', result: 'not-performed', detail: 'issuing state unknown (DG1 not read)' }] };
    }
    const cam = this.#cam;
    if (cam) {
      if (!this.#mrz) this.#checks.push({ method: 'PACE-CAM', result: 'not-performed', detail: 'issuing state unknown (DG1 not read) to authenticate EF.CardSecurity' });
      else if (!cs) this.#checks.push({ method: 'PACE-CAM', result: 'fail', code: 'CAM_FAILED', detail: 'EF.CardSecurity missing or unreadable' });
      else if (!csInfos) this.#checks.push({ method: 'PACE-CAM', result: 'fail', code: 'CAM_FAILED', detail: `EF.CardSecurity not authenticated (${report.cardSecurity?.failures.join(', ') || 'unparsable content'})` });
      else {
        const v = cam(csInfos);
        this.#checks.push({ method: 'PACE-CAM', result: v.verified ? 'pass' : 'fail', ...(v.verified ? {} : { code: 'CAM_FAILED' as const }), ...(v.detail ? { detail: v.detail } : {}) });
      }
    }
    report.chip = chipVerdict(this.#checks, this.#complete, this.#dg14Infos, this.#files.has('DG15'));

    const sod = this.#files.get('EF.SOD');
    if (sod) {
      const pa = passiveAuthentication({ sod, files: this.#files, ...signer });
      report.passive = { verdict: pa.verdict, failures: [...pa.failures], checks: pa.checks, ...(pa.signer ? { signer: pa.signer } : {}) };
    } else if (this.#sodAbsent) {
      report.passive = { verdict: 'fail', failures: ['SOD_MALFORMED'], checks: [{ id: 'sod.parse', result: 'fail', code: 'SOD_MALFORMED', detail: 'EF.SOD missing' }] };
    } else if (report.access.protocol !== 'none') {
      // The reading ended before EF.SOD: nothing says the document lacks it.
      report.passive = { verdict: 'not-performed', failures: [], checks: [{ id: 'sod.read', result: 'not-performed', detail: 'the reading ended before EF.SOD was read' }] };
    }

    // The MRZ given for access against DG1.
    const mrz = this.#mrz;
    if ('mrz' in this.#req.access && report.access.protocol !== 'none') {
      if (mrz) {
        const same = accessMrzInformation(this.#req.access.mrz).text === accessMrzInformation(mrz.text).text;
        report.consistency.push({ id: 'mrz.access-vs-dg1', result: same ? 'pass' : 'fail', ...(same ? {} : { code: 'MRZ_MISMATCH' }) });
        if (!same) report.passive.failures.push('MRZ_MISMATCH');
      } else report.consistency.push({ id: 'mrz.access-vs-dg1', result: 'not-performed' });
    }
    if (mrz) report.mrz = mrzFields(mrz);
    const dg2 = this.#files.get('DG2');
    if (dg2) report.faces = faceSummary(dg2, report.errors);
    report.verdict = overallVerdict(report.passive.verdict, report.chip.verdict, report.consistency.some((c) => c.result === 'fail') || report.cardSecurity?.verdict === 'fail');
    // A reading that ended early, or a chip that withholds a data group EF.SOD signed, has not
    // had every file checked (CONFORMANCE.md §3 "mrtd read"): the document may be fine, but it
    // has not been shown to be; read again.
    if (report.verdict === 'genuine' && (!this.#complete || this.#signedMissing)) report.verdict = 'unverified';
  }
}

/** ECDSA with explicit curve parameters that match no named curve goes to the native engine. */
const explicitVerifier = (native: MrtdNative): EcdsaVerifyExplicit => (c, q, d, r, s) => native.ecdsaVerify(c, q, d, r, s);

function isTransportFailure(e: unknown): boolean {
  return isTimeoutError(e) || isAbortedError(e) || isDeviceGoneError(e);
}

async function readOptional(reader: LdsFileReader, f: LdsFileInfo, op: OpOptions, report: InspectionReport): Promise<Buffer | undefined> {
  try {
    return await reader.read(f, op);
  } catch (e) {
    if (isMrtdError(e) && e.code === 'STATUS') {
      report.notRead[f.name] = `refused (${e.sw === undefined ? 'status' : swHex(e.sw)})`;
      return undefined;
    }
    throw e;
  }
}

interface Access {
  protocol: 'PACE' | 'BAC';
  channel: SecureChannel;
  verifyCam: ((infos: readonly SecurityInfo[]) => { verified: boolean; detail?: string }) | undefined;
}

async function establishAccess(
  card: Transceiver,
  req: InspectionRequest,
  cardAccess: readonly SecurityInfo[],
  policy: InspectionPolicy,
  ctx: { native: MrtdNative; random: RandomSource },
  deps: InspectionDeps,
  op: OpOptions,
  report: InspectionReport,
): Promise<Access> {
  const password: PacePassword = 'mrz' in req.access ? { kind: 'MRZ', mrzInformation: accessMrzInformation(req.access.mrz).text } : { kind: 'CAN', can: req.access.can };
  const pace = deps.protocols.choosePace(paceInfos(cardAccess));
  if (pace) {
    try {
      const r = await deps.protocols.pace(card, password, pace, cardAccess, ctx, op);
      report.access = { ...report.access, protocol: 'PACE', variant: r.variant, password: password.kind };
      report.access.attempts.push({ protocol: 'PACE', variant: r.variant, result: 'pass' });
      return { protocol: 'PACE', channel: r.channel, verifyCam: r.verifyCam };
    } catch (e) {
      report.access.attempts.push({ protocol: 'PACE', result: 'fail', error: errorSummary(e), ...(isMrtdError(e) && e.sw !== undefined ? { sw: swHex(e.sw) } : {}) });
      if (isTransportFailure(e)) throw e;
      if (!policy.allowBacAfterPaceFailure || password.kind !== 'MRZ') throw e;
    }
  } else if (paceInfos(cardAccess).length > 0) {
    report.errors.push('EF.CardAccess: UNSUPPORTED: offers only PACE variants this engine does not support');
  }
  if (password.kind !== 'MRZ') throw new MrtdError('UNSUPPORTED', 'BAC', 'the chip offers no PACE and BAC needs the MRZ, not the CAN');
  await sendOk(card, { cla: 0x00, ins: 0xa4, p1: 0x04, p2: 0x0c, data: EMRTD_AID }, 'SELECT', 'eMRTD application', op);
  try {
    const r = await deps.protocols.bac(card, password.mrzInformation, ctx, op);
    report.access = { ...report.access, protocol: 'BAC', password: 'MRZ' };
    report.access.attempts.push({ protocol: 'BAC', result: 'pass' });
    return { protocol: 'BAC', channel: r.channel, verifyCam: undefined };
  } catch (e) {
    report.access.attempts.push({ protocol: 'BAC', result: 'fail', error: errorSummary(e), ...(isMrtdError(e) && e.sw !== undefined ? { sw: swHex(e.sw) } : {}) });
    throw e;
  }
}

/**
 * The chip verdict: fail when any performed method failed; pass when one passed; not-supported
 * when the document offers no method; not-performed when it offers one that did not run (the
 * reading ended first).
 */
function chipVerdict(checks: ChipCheck[], complete: boolean, dg14: readonly SecurityInfo[] | undefined, hasDg15: boolean): ChipReport {
  const failures = [...new Set(checks.filter((c) => c.result === 'fail').map((c) => c.code ?? `${c.method}_FAILED`))];
  const order: ChipCheck['method'][] = ['PACE-CAM', 'CA', 'AA'];
  const strongest = order.find((m) => checks.some((c) => c.method === m && c.result !== 'not-performed'));
  if (checks.length === 0) {
    const offered = hasDg15 || (dg14?.some((i) => i.type === 'ChipAuthenticationPublicKeyInfo') ?? false);
    return { verdict: offered || !complete ? 'not-performed' : 'not-supported', failures, checks };
  }
  const verdict = failures.length > 0 ? 'fail' : checks.some((c) => c.result === 'pass') ? 'pass' : 'not-performed';
  return { verdict, ...(strongest ? { method: strongest } : {}), failures, checks };
}

function faceSummary(dg2: Buffer, errors: string[]): NonNullable<InspectionReport['faces']> {
  try {
    return faceImages(parseDg2(dg2)).map((f) => {
      const size = imageDimensions(f.imageData);
      return { format: sniffImageFormat(f.imageData), ...(size ? { width: size.width, height: size.height } : {}), bytes: f.imageData.length };
    });
  } catch (e) {
    errors.push(`DG2: ${errorSummary(e)}`);
    return [];
  }
}

function mrzFields(m: Mrz): Record<string, string | boolean> {
  return {
    format: m.format,
    documentCode: m.documentCode,
    issuer: m.issuer,
    documentNumber: m.documentNumber,
    primaryIdentifier: m.primaryIdentifier,
    secondaryIdentifier: m.secondaryIdentifier,
    nationality: m.nationality,
    dateOfBirth: m.dateOfBirth,
    sex: m.sex,
    dateOfExpiry: m.dateOfExpiry,
    optionalData: m.optionalData,
    checkDigitsValid: m.valid,
  };
}

