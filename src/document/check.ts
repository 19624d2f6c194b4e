// The document check (issue 3): the data page captured, its MRZ read optically, the chip read
// with that MRZ, and the whole story cross-checked — printed MRZ against the chip, validity,
// policy, print geometry, UV and IR where the reader has them — ending in the identity
// confidence level with its reasons. A guessed MRZ is never handed to the chip: only a read
// whose check digits hold opens it.
import { parseDg12 } from '../mrtd/lds/dg12.js';
import type { InspectionReport } from '../mrtd/inspection/report.js';
import type { InspectionResult } from '../mrtd/inspection/inspect.js';
import type { Mrz } from '../mrtd/mrz.js';
import { RULES_V1 } from '../visit/confidence/rules.js';
import { assessIdentity, type IdentityAssessment } from '../visit/confidence/assess.js';

import { evidenceFromDocumentChecks } from '../visit/evidence-document.js';
import { evidenceFromInspection } from '../visit/evidence-inspection.js';
import type { Evidence } from '../visit/evidence.js';
import { orderGuidance, type GuidanceCode } from './capture-guidance.js';
import { assessCapture, type CaptureAssessment } from './capture-quality.js';
import { DEFAULT_DOCUMENT_POLICY, opticalVersusChip, policyChecks, portraitCheck, validity, type DocumentCheck, type DocumentPolicy, type PortraitComparison } from './cross-checks.js';
import type { Image } from './image.js';
import { MrzReader, type MrzReadResult } from './mrz-reader/read.js';
import { irCheck, mrzGeometryCheck, uvCheck } from './page-checks.js';

export interface PageImages {
  readonly white: Image;
  readonly uv?: Image;
  readonly ir?: Image;
  /** The reader's resolution; without it the print-geometry check is not performed. */
  readonly resolutionDpi?: number;
}

/** The chip side, given by the caller: reads the chip with the MRZ the page gave. */
export type ChipReader = (mrz: string) => Promise<InspectionResult>;

/**
 * Compares the printed portrait on the page with DG2's (the face engine: src/face/
 * printed-portrait.ts). Without one the check is reported as not performed.
 */
export type PortraitComparer = (page: Image, dg2: Buffer) => Promise<PortraitComparison>;

export interface DocumentCheckOptions {
  readonly policy?: DocumentPolicy;
  readonly portrait?: PortraitComparer;
  readonly now: () => Date;
  readonly reader?: MrzReader;
}

export interface DocumentCheckReport {
  readonly schema: 'document-check';
  readonly schemaVersion: 1;
  readonly capture: Pick<CaptureAssessment, 'presence' | 'ok' | 'guidance' | 'checks'>;
  /**
   * What to tell the applicant, most important first (empty when the MRZ was read): the
   * capture checks' advice, then the MRZ reader's, in one vocabulary (./capture-guidance.ts).
   */
  readonly guidance: readonly GuidanceCode[];
  readonly mrz: MrzReadResult;
  readonly chip: { readonly performed: true; readonly report: InspectionReport } | { readonly performed: false; readonly reason: string };
  readonly checks: readonly DocumentCheck[];
  /** The evidence the level was judged from; the visit adds its biometric evidence to it. */
  readonly evidence: readonly Evidence[];
  readonly identity: IdentityAssessment;
}

export async function checkDocument(page: PageImages, chip: ChipReader | undefined, o: DocumentCheckOptions): Promise<DocumentCheckReport> {
  const quality = assessCapture(page.white);
  const reader = o.reader ?? new MrzReader(page.resolutionDpi !== undefined ? { dpi: page.resolutionDpi } : {});
  const mrz = reader.read(page.white);
  let chipResult: InspectionResult | undefined;
  let chipReason = '';
  if (!mrz.ok) chipReason = `no valid MRZ read from the page (${mrz.code}): the chip is not opened with a guess`;
  else if (!chip) chipReason = 'no chip reader';
  else chipResult = await chip(mrz.mrz);

  const optical: Mrz | undefined = mrz.ok ? mrz.fields : undefined;
  const chipMrz = chipResult?.mrz;
  const dg12 = chipResult?.files.get('DG12');
  let dateOfIssue: string | undefined;
  if (dg12) {
    try {
      dateOfIssue = parseDg12(dg12).dateOfIssue;
    } catch {
      // A DG12 that does not parse is the chip report's concern; the issue-date check is then not performed.
    }
  }
  const now = o.now();
  const checks: DocumentCheck[] = [
    opticalVersusChip(optical, chipMrz),
    ...validity(chipMrz ?? optical, now, dateOfIssue),
    ...policyChecks(chipMrz ?? optical, o.policy ?? DEFAULT_DOCUMENT_POLICY),
    ...mrzGeometryCheck(mrz.geometry?.pitchPx, page.resolutionDpi, mrz.ok ? mrz.confidence : undefined),
    uvCheck(page.uv, quality.page?.quad),
    irCheck(page.ir, mrz.geometry?.zone),
    portraitCheck(await comparePortraits(o.portrait, page.white, chipResult?.files.get('DG2'))),
  ];
  const evidence: Evidence[] = [
    ...(chipResult ? evidenceFromInspection(chipResult.report) : [{ id: 'chip.access.1', kind: 'chip-access', source: 'chip-inspection', result: 'not-performed', protocol: 'none', code: 'NO_CHIP' } as const]),
    ...evidenceFromDocumentChecks(checks),
  ];
  return {
    schema: 'document-check',
    schemaVersion: 1,
    capture: { presence: quality.presence, ok: quality.ok, guidance: quality.guidance, checks: quality.checks },
    guidance: mrz.ok ? [] : orderGuidance([...quality.guidance, mrz.guidance]),
    mrz,
    chip: chipResult ? { performed: true, report: chipResult.report } : { performed: false, reason: chipReason },
    checks,
    evidence,
    identity: assessIdentity(evidence, RULES_V1, () => now),
  };
}

async function comparePortraits(compare: PortraitComparer | undefined, page: Image, dg2: Buffer | undefined): Promise<PortraitComparison | undefined> {
  if (!compare) return undefined;
  if (!dg2) return { result: 'no-face', side: 'chip', detail: 'the chip was not read' };
  return compare(page, dg2);
}
