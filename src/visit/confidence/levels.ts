// The identity-confidence scale: five steps instead of "verified / not verified", as the MISEC
// final report (Maahanmuuttovirasto & Poliisiammattikorkeakoulu, 2020, recommendations on
// information management) proposes after the Australian false–claimed–supported–confirmed–
// verified model. The Australian text defining those five names was not found with the tools
// at hand, so the definitions are this kiosk's own. They follow, in substance, the objectives of
// identity proofing in Australia's National Identity Proofing Guidelines (Attorney-General's
// Department, 2016; modernised 2025): the identity is legitimate, the evidence is authentic, the
// person is bound to it, the identity is unique and not known under another name. NIST SP
// 800-63A's resolution → validation → verification steps are the comparison:
//
//   false      Evidence that the identity presented is not genuine or not the presenter's,
//              from a check that does not err on genuine documents at a rate that matters:
//              a signature or hash that fails (forged chip data), a chip that fails chip
//              authentication (clone), a printed MRZ or access MRZ that disagrees with DG1
//              (tampering), or a clerk's decision that rejects the identity. A biometric score
//              alone never makes an identity false (see `claimed`).
//   claimed    An identity is asserted — by the document presented or by the visit's booking —
//              and nothing has authenticated it; or it was authenticated but then contradicted
//              by evidence that can err (face or fingerprint non-match, presentation attack,
//              a 1:N hit under another identity, an anomaly on the data page). A contradiction
//              sends the case to a person; it does not brand the applicant.
//   supported  The document is authentic and acceptable: the chip was read, passive
//              authentication of EF.SOD passed against the trust store (ICAO 9303-11 §5.1) and
//              the document type and issuer are accepted by the kiosk's policy. Nothing yet
//              binds the person at the kiosk to it.
//   confirmed  Supported, and the chip proved itself genuine (Chip or Active Authentication
//              or PACE-CAM, 9303-11 §6; a document that offers none is taken as far as
//              confirmed and no further), and the person at the kiosk matches the document
//              biometrically 1:1 (the DG2 face or DG3 fingerprints, at the policy's false match
//              rate) or a clerk compared them in person.
//   verified   Confirmed, and the identity is linked to the register without contradiction: a
//              1:N duplicate search found no other identity for this person, the biometric
//              capture was of a live person (presentation attack detection passed), the data
//              page agrees with the chip (Frontex BPTG for ABC v2.0 §4.4.7), the document is
//              within its validity, and nothing in the reading was anomalous (no access
//              downgrade, no unread signed file).
//
// Each level includes every requirement of the levels below it, so the scale is a total order
// and the assessment is the lowest cap any rule imposes.

export const LEVELS = ['false', 'claimed', 'supported', 'confirmed', 'verified'] as const;
export type IdentityLevel = (typeof LEVELS)[number];

export interface LevelDefinition {
  readonly level: IdentityLevel;
  /** One line, for tables and the technician's console. */
  readonly summary: string;
  /** What must hold, in this kiosk's terms. */
  readonly requires: string;
}

export const LEVEL_DEFINITIONS: readonly LevelDefinition[] = [
  {
    level: 'false',
    summary: 'Evidence that the identity is forged, cloned, tampered with, or rejected by a clerk.',
    requires: 'A deterministic contradiction (EF.SOD signature or data-group hash fails, chip authentication fails, the MRZ on the page or the one that opened the chip differs from DG1) or a clerk rejecting the identity. Biometric scores alone never lead here.',
  },
  {
    level: 'claimed',
    summary: 'An identity is asserted but not authenticated, or authenticated and then contradicted.',
    requires: 'Nothing: the floor of every visit without proof of fraud. Also where a check that can err contradicts the identity (face or fingerprint non-match, presentation attack, 1:N hit under another identity, data-page anomaly).',
  },
  {
    level: 'supported',
    summary: 'The document is authentic and accepted; the person is not yet bound to it.',
    requires: 'Chip read; passive authentication of EF.SOD passed against the trust store; document type and issuer accepted by policy.',
  },
  {
    level: 'confirmed',
    summary: 'The chip is genuine and the person matches the document.',
    requires: 'Supported; chip authentication (CA, AA or PACE-CAM) passed, or the document offers none; a 1:1 match of the live face with DG2 or of fingerprints with DG3 at the policy FMR, or a clerk\'s in-person comparison.',
  },
  {
    level: 'verified',
    summary: 'Confirmed, and linked to the register without contradiction.',
    requires: 'Confirmed; chip authentication actually performed; 1:N duplicate search without another identity; liveness passed; data-page MRZ equals DG1; document within validity; no access downgrade or unread signed file.',
  },
];

export function levelRank(level: IdentityLevel): number {
  return LEVELS.indexOf(level);
}

export function minLevel(a: IdentityLevel, b: IdentityLevel): IdentityLevel {
  return levelRank(a) <= levelRank(b) ? a : b;
}

export function isLevel(v: unknown): v is IdentityLevel {
  return typeof v === 'string' && (LEVELS as readonly string[]).includes(v);
}
