// The identity-confidence rule table, version 1. Rules are data: each names the evidence it
// looks for (conditions.ts), the level it caps the assessment at, the risk indicators it sends
// to the back office, and a reason code for the message catalogues. The levels are defined in
// levels.ts; the table in docs/identity-confidence.md is rendered from this data (markdown.ts)
// and a test keeps the two equal.
//
// There are caps and flags but no "raise" effect. Every level is defined by what it requires,
// and a requirement rule caps the level one step below when its evidence is absent, so a
// missing or not-performed check always says so in the reasons. A raise would let one passing
// item outweigh a missing one and would break monotonicity (adding a failing check or removing
// a passing one must never raise the level; tests/unit/confidence-properties.test.ts). A
// clerk's decision enters as evidence (an `operator-override` item) that rules accept in place
// of the check it settles; it never overrides a cryptographic failure.
//
// Changing a rule's meaning bumps its `version` and the table's `version`; records carry the
// table version they were assessed under, so the back office can tell old levels from new.
import type { Condition } from './conditions.js';
import type { IdentityLevel } from './levels.js';

export type Severity = 'low' | 'medium' | 'high';
export const SEVERITIES: readonly Severity[] = ['low', 'medium', 'high'];

/** Risk indicators that travel to the back office with the record (seed: MISEC report, "turvallisuusriskiä indikoiva tieto"). */
export const RISK_CODES = [
  'CHIP_CLONE_SUSPECTED',
  'DOCUMENT_FORGED',
  'MRZ_TAMPERING',
  'FACE_MISMATCH',
  'FINGERPRINT_MISMATCH',
  'LIVENESS_FAILED',
  'DUPLICATE_IDENTITY',
  'DOCUMENT_SIGNER_INVALID',
  'DOCUMENT_NOT_AUTHENTICATED',
  'PORTRAIT_SUBSTITUTION_SUSPECTED',
  'DOCUMENT_PHYSICAL_ANOMALY',
  'DOCUMENT_NOT_YET_VALID',
  'DOCUMENT_EXPIRED',
  'DOCUMENT_NOT_ACCEPTED',
  'ACCESS_DOWNGRADE',
  'CHIP_READ_INCOMPLETE',
  'CHIP_AUTH_UNAVAILABLE',
  'OPERATOR_OVERRIDE',
] as const;
export type RiskCode = (typeof RISK_CODES)[number];

export type RuleEffect = { readonly kind: 'cap'; readonly level: IdentityLevel } | { readonly kind: 'flag' };

export interface Rule {
  /** Stable id; tests and records refer to it. */
  readonly id: string;
  /** Bumped whenever the rule's condition or effect changes meaning. */
  readonly version: number;
  readonly description: string;
  readonly when: Condition;
  readonly effect: RuleEffect;
  readonly indicators: readonly { readonly code: RiskCode; readonly severity: Severity }[];
  /** Reason code for the message catalogues (applicant UI, console, back office). */
  readonly reason: string;
}

export interface RuleTable {
  readonly id: string;
  readonly version: number;
  readonly rules: readonly Rule[];
}

/** The version string a record carries, e.g. "identity-confidence/1". */
export const ruleTableVersion = (t: RuleTable): string => `${t.id}/${t.version}`;

/**
 * The false match rate a 1:1 comparison must have been judged at to bind the person to the
 * document (ISO/IEC 19795-1 FMR). 0.1 % is the operating point commonly quoted for automated
 * border control face verification (cf. Frontex, Best Practice Technical Guidelines for ABC
 * Systems v2.0, 2012, biometric verification; the figure is to be confirmed against that text
 * and the deployment's certification). A deployment sets its own by publishing a new table version.
 */
export const BINDING_MAX_FMR = 0.001;

const cap = (level: IdentityLevel): RuleEffect => ({ kind: 'cap', level });
const high = (code: RiskCode) => ({ code, severity: 'high' as const });
const medium = (code: RiskCode) => ({ code, severity: 'medium' as const });
const low = (code: RiskCode) => ({ code, severity: 'low' as const });

const overridePass = (target: 'face-1to1' | 'fingerprint-1to1' | 'liveness' | 'duplicate-search'): Condition =>
  ({ lacks: { kind: 'operator-override', result: 'pass', where: { target } } });

export const RULES_V1: RuleTable = {
  id: 'identity-confidence',
  version: 1,
  rules: [
    // ── Proof that the identity is not genuine → false ───────────────────────────────────
    {
      id: 'IC-PA-FORGED', version: 1,
      description: 'Chip data altered after the issuer signed it: the EF.SOD (or EF.CardSecurity) signature or a data-group hash does not verify (ICAO 9303-11 §5.1).',
      when: { has: { kind: 'passive-auth', result: 'fail', code: ['SOD_SIGNATURE_INVALID', 'DG_HASH_MISMATCH'] } },
      effect: cap('false'), indicators: [high('DOCUMENT_FORGED')], reason: 'CHIP_DATA_ALTERED',
    },
    {
      id: 'IC-CHIP-CLONE', version: 1,
      description: 'The chip failed chip authentication (CA, AA or PACE-CAM): it did not prove it holds the private key its signed data names (9303-11 §6), the mark of a copied chip.',
      when: { has: { kind: 'chip-auth', result: 'fail' } },
      effect: cap('false'), indicators: [high('CHIP_CLONE_SUSPECTED')], reason: 'CHIP_NOT_GENUINE',
    },
    {
      id: 'IC-CHIP-MRZ-MISMATCH', version: 1,
      description: 'The MRZ that opened the chip differs from the chip\'s own DG1: a genuine chip\'s access keys derive from its DG1.',
      when: { has: { kind: 'chip-consistency', result: 'fail', where: { check: 'mrz.access-vs-dg1' } } },
      effect: cap('false'), indicators: [high('MRZ_TAMPERING')], reason: 'ACCESS_MRZ_DIFFERS_FROM_CHIP',
    },
    {
      id: 'IC-PAGE-MRZ-MISMATCH', version: 1,
      description: 'The MRZ printed on the data page, read with valid check digits and full confidence, differs from DG1 (Frontex BPTG §4.4.7): the page or the chip was altered.',
      when: { has: { kind: 'document-check', result: 'fail', where: { check: 'mrz-vs-chip' } } },
      effect: cap('false'), indicators: [high('MRZ_TAMPERING')], reason: 'PAGE_DIFFERS_FROM_CHIP',
    },
    {
      id: 'IC-OPERATOR-REJECT', version: 1,
      description: 'A clerk rejected the identity after reviewing a check (e.g. the 1:N candidate is this person under another name).',
      when: { has: { kind: 'operator-override', result: 'fail' } },
      effect: cap('false'), indicators: [high('OPERATOR_OVERRIDE')], reason: 'REJECTED_BY_OPERATOR',
    },

    // ── Authenticated, then contradicted by a check that can err → claimed ───────────────
    {
      id: 'IC-PA-SIGNER-INVALID', version: 1,
      description: 'The document signer is revoked, or its CSCA is of another country than the issuing state: the signature is not the issuer\'s to give.',
      when: { has: { kind: 'passive-auth', result: 'fail', code: ['DS_CERT_REVOKED', 'COUNTRY_MISMATCH'] } },
      effect: cap('claimed'), indicators: [high('DOCUMENT_SIGNER_INVALID')], reason: 'SIGNER_NOT_VALID_FOR_DOCUMENT',
    },
    {
      id: 'IC-PA-NOT-AUTHENTIC', version: 1,
      description: 'Passive authentication failed without proof of alteration: malformed EF.SOD, signer not in the trust store or expired, a file not covered by EF.SOD.',
      when: { has: { kind: 'passive-auth', result: 'fail', code: ['SOD_MALFORMED', 'DS_CERT_UNTRUSTED', 'DS_CERT_EXPIRED', 'DG_MISSING_FROM_SOD', 'PASSIVE_FAILED'] } },
      effect: cap('claimed'), indicators: [medium('DOCUMENT_NOT_AUTHENTICATED')], reason: 'DOCUMENT_NOT_AUTHENTICATED',
    },
    {
      id: 'IC-FACE-MISMATCH', version: 1,
      description: 'A face 1:1 comparison scored below its threshold and no clerk has compared the person in person.',
      when: { all: [{ has: { kind: 'face-1to1', result: 'fail' } }, overridePass('face-1to1')] },
      effect: cap('claimed'), indicators: [high('FACE_MISMATCH')], reason: 'FACE_DOES_NOT_MATCH',
    },
    {
      id: 'IC-FINGER-MISMATCH', version: 1,
      description: 'A fingerprint 1:1 comparison scored below its threshold and no clerk has settled it.',
      when: { all: [{ has: { kind: 'fingerprint-1to1', result: 'fail' } }, overridePass('fingerprint-1to1')] },
      effect: cap('claimed'), indicators: [high('FINGERPRINT_MISMATCH')], reason: 'FINGERPRINT_DOES_NOT_MATCH',
    },
    {
      id: 'IC-LIVENESS-FAILED', version: 1,
      description: 'Presentation attack detection judged a capture not live (ISO/IEC 30107-1): a 1:1 match from it binds nobody.',
      when: { all: [{ has: { kind: 'liveness', result: 'fail' } }, overridePass('liveness')] },
      effect: cap('claimed'), indicators: [high('LIVENESS_FAILED')], reason: 'CAPTURE_NOT_LIVE',
    },
    {
      id: 'IC-DUPLICATE', version: 1,
      description: 'The 1:N search found this person in the register under another identity, and no clerk has adjudicated the hit.',
      when: { all: [{ has: { kind: 'duplicate-search', result: 'fail' } }, overridePass('duplicate-search')] },
      effect: cap('claimed'), indicators: [high('DUPLICATE_IDENTITY')], reason: 'KNOWN_UNDER_ANOTHER_IDENTITY',
    },
    {
      id: 'IC-PORTRAIT-MISMATCH', version: 1,
      description: 'The portrait printed on the data page does not match the chip\'s DG2 face (photo substitution).',
      when: { has: { kind: 'document-check', result: 'fail', where: { check: 'portrait-vs-chip' } } },
      effect: cap('claimed'), indicators: [high('PORTRAIT_SUBSTITUTION_SUSPECTED')], reason: 'PRINTED_PORTRAIT_DIFFERS',
    },
    {
      id: 'IC-PAGE-ANOMALY', version: 1,
      description: 'The data page fails a physical check: MRZ position, pitch or font (ICAO 9303-3/-4), or the UV or IR image.',
      when: { has: { kind: 'document-check', result: 'fail', where: { check: ['mrz-geometry', 'uv', 'ir'] } } },
      effect: cap('claimed'), indicators: [high('DOCUMENT_PHYSICAL_ANOMALY')], reason: 'DATA_PAGE_ANOMALY',
    },
    {
      id: 'IC-DOC-NOT-YET-VALID', version: 1,
      description: 'The document\'s validity starts after today: no issuer issues documents that way.',
      when: { has: { kind: 'document-check', result: 'fail', where: { check: 'validity' }, code: 'DOCUMENT_NOT_YET_VALID' } },
      effect: cap('claimed'), indicators: [high('DOCUMENT_NOT_YET_VALID')], reason: 'DOCUMENT_NOT_YET_VALID',
    },
    {
      id: 'IC-DOC-NOT-ACCEPTED', version: 1,
      description: 'The document type or issuer is not accepted by the kiosk\'s policy, so the document does not count as evidence here.',
      when: { has: { kind: 'document-check', result: 'fail', where: { check: 'policy' } } },
      effect: cap('claimed'), indicators: [low('DOCUMENT_NOT_ACCEPTED')], reason: 'DOCUMENT_NOT_ACCEPTED',
    },

    // ── Requirements of supported (else claimed) ────────────────────────────────────────
    {
      id: 'IC-REQ-CHIP-READ', version: 1,
      description: 'No chip was accessed (no chip, a photocopy, a reader fault): the document could not be authenticated.',
      when: { lacks: { kind: 'chip-access', result: 'pass' } },
      effect: cap('claimed'), indicators: [], reason: 'CHIP_NOT_READ',
    },
    {
      id: 'IC-REQ-PASSIVE', version: 1,
      description: 'Passive authentication of EF.SOD has not passed.',
      when: { lacks: { kind: 'passive-auth', result: 'pass', where: { object: 'EF.SOD' } } },
      effect: cap('claimed'), indicators: [], reason: 'AUTHENTICITY_NOT_ESTABLISHED',
    },
    {
      id: 'IC-REQ-POLICY', version: 1,
      description: 'The document type and issuer have not been found acceptable under the kiosk\'s policy.',
      when: { lacks: { kind: 'document-check', result: 'pass', where: { check: 'policy' } } },
      effect: cap('claimed'), indicators: [], reason: 'ACCEPTABILITY_NOT_ESTABLISHED',
    },

    // ── Requirements of confirmed (else supported) ──────────────────────────────────────
    {
      id: 'IC-REQ-CHIP-AUTH', version: 1,
      description: 'No chip authentication passed although the document may offer one (it did not run or the reading ended first).',
      when: { all: [{ lacks: { kind: 'chip-auth', result: 'pass' } }, { lacks: { kind: 'chip-auth', result: 'not-performed', code: 'CHIP_AUTH_NOT_SUPPORTED' } }] },
      effect: cap('supported'), indicators: [], reason: 'CHIP_GENUINENESS_NOT_ESTABLISHED',
    },
    {
      id: 'IC-REQ-BINDING', version: 1,
      description: `No 1:1 comparison binds the person to the document: neither the face against DG2 nor fingerprints against DG3 passed at FMR ≤ ${BINDING_MAX_FMR}, and no clerk compared them in person.`,
      when: {
        all: [
          { lacks: { kind: 'face-1to1', result: 'pass', where: { reference: 'chip-dg2' }, values: { fmr: { max: BINDING_MAX_FMR } } } },
          { lacks: { kind: 'fingerprint-1to1', result: 'pass', where: { reference: 'chip-dg3' }, values: { fmr: { max: BINDING_MAX_FMR } } } },
          { lacks: { kind: 'operator-override', result: 'pass', where: { target: ['face-1to1', 'fingerprint-1to1'] } } },
        ],
      },
      effect: cap('supported'), indicators: [], reason: 'HOLDER_NOT_BOUND',
    },
    {
      id: 'IC-READING-INCOMPLETE', version: 1,
      description: 'The chip withheld a file EF.SOD signed, or the reading ended early: the document has not been shown whole.',
      when: { has: { kind: 'chip-consistency', where: { check: 'reading.complete' }, result: ['not-performed', 'fail'] } },
      effect: cap('supported'), indicators: [medium('CHIP_READ_INCOMPLETE')], reason: 'CHIP_READ_INCOMPLETE',
    },

    // ── Requirements of verified (else confirmed) ───────────────────────────────────────
    {
      id: 'IC-CHIP-AUTH-UNSUPPORTED', version: 1,
      description: 'The document offers no chip authentication (no DG14/DG15 signed, no PACE-CAM), so a copy of its chip cannot be told apart; with a 1:1 match it can be confirmed, not verified.',
      when: { all: [{ lacks: { kind: 'chip-auth', result: 'pass' } }, { has: { kind: 'chip-auth', result: 'not-performed', code: 'CHIP_AUTH_NOT_SUPPORTED' } }] },
      effect: cap('confirmed'), indicators: [low('CHIP_AUTH_UNAVAILABLE')], reason: 'CHIP_AUTH_NOT_OFFERED',
    },
    {
      id: 'IC-REQ-LIVENESS', version: 1,
      description: 'No presentation attack detection passed (and no clerk saw the capture).',
      when: { all: [{ lacks: { kind: 'liveness', result: 'pass' } }, overridePass('liveness')] },
      effect: cap('confirmed'), indicators: [], reason: 'LIVENESS_NOT_ESTABLISHED',
    },
    {
      id: 'IC-REQ-DEDUP', version: 1,
      description: 'No 1:N duplicate search passed (and no clerk adjudicated one): the identity is not linked to the register.',
      when: { all: [{ lacks: { kind: 'duplicate-search', result: 'pass' } }, overridePass('duplicate-search')] },
      effect: cap('confirmed'), indicators: [], reason: 'REGISTER_LINK_NOT_ESTABLISHED',
    },
    {
      id: 'IC-REQ-PAGE-MRZ', version: 1,
      description: 'The MRZ printed on the page has not been shown equal to DG1.',
      when: { lacks: { kind: 'document-check', result: 'pass', where: { check: 'mrz-vs-chip' } } },
      effect: cap('confirmed'), indicators: [], reason: 'PAGE_CHIP_AGREEMENT_NOT_ESTABLISHED',
    },
    {
      id: 'IC-REQ-VALIDITY', version: 1,
      description: 'The document has not been shown to be within its validity period.',
      when: { lacks: { kind: 'document-check', result: 'pass', where: { check: 'validity' } } },
      effect: cap('confirmed'), indicators: [], reason: 'VALIDITY_NOT_ESTABLISHED',
    },
    {
      id: 'IC-DOC-EXPIRED', version: 1,
      description: 'The document has expired. Its data may be genuine, but the register link relies on a document in force.',
      when: { has: { kind: 'document-check', result: 'fail', where: { check: 'validity' }, code: 'DOCUMENT_EXPIRED' } },
      effect: cap('confirmed'), indicators: [medium('DOCUMENT_EXPIRED')], reason: 'DOCUMENT_EXPIRED',
    },
    {
      id: 'IC-ACCESS-DOWNGRADE', version: 1,
      description: 'PACE failed and never succeeded, and the chip was then opened with BAC (9303-11 §4.2 fallback): a downgrade an attacker could force.',
      when: {
        all: [
          { has: { kind: 'chip-access', result: 'fail', where: { protocol: 'PACE' } } },
          { lacks: { kind: 'chip-access', result: 'pass', where: { protocol: 'PACE' } } },
          { has: { kind: 'chip-access', result: 'pass', where: { protocol: 'BAC' } } },
        ],
      },
      effect: cap('confirmed'), indicators: [medium('ACCESS_DOWNGRADE')], reason: 'ACCESS_DOWNGRADED',
    },

    // ── Flags ──────────────────────────────────────────────────────────────────────────
    {
      id: 'IC-OPERATOR-OVERRIDE', version: 1,
      description: 'A clerk settled a check in the identity\'s favour; the back office sees who and why.',
      when: { has: { kind: 'operator-override', result: 'pass' } },
      effect: { kind: 'flag' }, indicators: [medium('OPERATOR_OVERRIDE')], reason: 'OPERATOR_DECISION_APPLIED',
    },
  ],
};
