// The chip inspection's report (src/mrtd/inspection/report.ts, CONFORMANCE.md §3) as evidence
// items. Only checks, results and codes cross over: no MRZ fields, no file hashes, no details
// text (details may quote certificate names; the codes say what the rules need).
import type { InspectionReport } from '../mrtd/inspection/report.js';
import type { PassiveCode } from '../mrtd/pki/passive.js';
import type {
  ChipAccessEvidence,
  ChipAuthCode,
  ChipAuthEvidence,
  ChipConsistencyEvidence,
  Evidence,
  PassiveAuthEvidence,
  PassiveEvidenceCode,
} from './evidence.js';

export interface InspectionEvidenceOptions {
  /** Prefix of the item ids, unique within the visit (e.g. "chip" → chip.access.1). */
  readonly idPrefix?: string;
  /** When the inspection finished (ISO 8601 UTC); stamped on every item. */
  readonly at?: string;
  /** Engine name and version, e.g. "mrtd-inspection/1". */
  readonly engine?: string;
}

const PASSIVE_CODES: readonly PassiveCode[] = [
  'SOD_MALFORMED',
  'SOD_SIGNATURE_INVALID',
  'DS_CERT_UNTRUSTED',
  'DS_CERT_EXPIRED',
  'DS_CERT_REVOKED',
  'COUNTRY_MISMATCH',
  'DG_HASH_MISMATCH',
  'DG_MISSING_FROM_SOD',
];

export function evidenceFromInspection(report: InspectionReport, options: InspectionEvidenceOptions = {}): Evidence[] {
  const prefix = options.idPrefix ?? 'chip';
  const stamp = { ...(options.at !== undefined ? { at: options.at } : {}), ...(options.engine !== undefined ? { engine: options.engine } : {}) };
  const out: Evidence[] = [];
  const source = 'chip-inspection' as const;

  // Access control: every attempt, so that a failed PACE before BAC shows (ICAO 9303-11 §4.2).
  const attempts = report.access.attempts;
  attempts.forEach((a, i) => {
    const item: ChipAccessEvidence = {
      id: `${prefix}.access.${i + 1}`, kind: 'chip-access', source, result: a.result, protocol: a.protocol,
      ...(i === attempts.length - 1 && a.result === 'pass' && report.access.password ? { password: report.access.password } : {}),
      ...(a.result === 'fail' ? { code: 'ACCESS_FAILED' as const } : {}), ...stamp,
    };
    out.push(item);
  });
  if (attempts.length === 0) {
    const none = report.access.protocol === 'none';
    out.push(none
      ? { id: `${prefix}.access.1`, kind: 'chip-access', source, result: 'not-performed', protocol: 'none', code: 'NO_CHIP', ...stamp }
      : { id: `${prefix}.access.1`, kind: 'chip-access', source, result: 'pass', protocol: report.access.protocol, ...(report.access.password ? { password: report.access.password } : {}), ...stamp });
  }
  if (report.access.protocol === 'none') return out;

  // Passive authentication of EF.SOD and, after PACE, of EF.CardSecurity (9303-11 §5.1).
  out.push(...passiveItems(`${prefix}.sod`, 'EF.SOD', report.passive.verdict, report.passive.failures, stamp));
  if (report.cardSecurity) out.push(...passiveItems(`${prefix}.cardsecurity`, 'EF.CardSecurity', report.cardSecurity.verdict, report.cardSecurity.failures, stamp));

  // Chip authentication: each method that was tried, or one item saying none was.
  report.chip.checks.forEach((c, i) => {
    const item: ChipAuthEvidence = {
      id: `${prefix}.auth.${i + 1}`, kind: 'chip-auth', source, result: c.result, method: c.method,
      ...(c.result === 'fail' ? { code: c.code ?? failCode(c.method) } : {}), ...stamp,
    };
    out.push(item);
  });
  if (report.chip.checks.length === 0) {
    const notSupported = report.chip.verdict === 'not-supported';
    out.push({ id: `${prefix}.auth.1`, kind: 'chip-auth', source, result: 'not-performed', code: notSupported ? 'CHIP_AUTH_NOT_SUPPORTED' : 'CHIP_AUTH_NOT_PERFORMED', ...stamp });
  }

  // Cross-checks the inspection made.
  for (const c of report.consistency) {
    if (c.id !== 'mrz.access-vs-dg1') continue;
    const item: ChipConsistencyEvidence = { id: `${prefix}.consistency.mrz`, kind: 'chip-consistency', source, check: 'mrz.access-vs-dg1', result: c.result, ...(c.result === 'fail' ? { code: 'MRZ_MISMATCH' as const } : {}), ...stamp };
    out.push(item);
  }
  // The inspection withholds "genuine" when passive and chip authentication passed but the
  // reading ended early or the chip withheld a file EF.SOD signed (inspect.ts #judge): the
  // document has not been shown whole.
  if (report.verdict === 'unverified' && report.passive.verdict === 'pass' && report.chip.verdict === 'pass') {
    out.push({ id: `${prefix}.consistency.reading`, kind: 'chip-consistency', source, check: 'reading.complete', result: 'not-performed', code: 'READING_INCOMPLETE', ...stamp });
  }
  return out;
}

function passiveItems(
  id: string,
  object: PassiveAuthEvidence['object'],
  verdict: 'pass' | 'fail' | 'not-performed',
  failures: readonly string[],
  stamp: { at?: string; engine?: string },
): PassiveAuthEvidence[] {
  const source = 'chip-inspection' as const;
  if (verdict === 'pass') return [{ id, kind: 'passive-auth', source, object, result: 'pass', ...stamp }];
  if (verdict === 'not-performed') return [{ id, kind: 'passive-auth', source, object, result: 'not-performed', code: 'NOT_READ', ...stamp }];
  // MRZ_MISMATCH is appended to the passive failures by the inspection but is a cross-check;
  // it arrives through `consistency`.
  const codes = [...new Set(failures.filter((f): f is PassiveCode => (PASSIVE_CODES as readonly string[]).includes(f)))];
  const list: PassiveEvidenceCode[] = codes.length > 0 ? codes : ['PASSIVE_FAILED'];
  return list.map((code, i) => ({ id: list.length === 1 ? id : `${id}.${i + 1}`, kind: 'passive-auth', source, object, result: 'fail', code, ...stamp }));
}

function failCode(method: 'CA' | 'AA' | 'PACE-CAM'): ChipAuthCode {
  return method === 'CA' ? 'CA_FAILED' : method === 'AA' ? 'AA_FAILED' : 'CAM_FAILED';
}
