// The document check's findings as identity evidence (src/visit/evidence.ts). The contract of
// that type: `fail` only for a confident finding — the document engine reports an uncertain
// measurement as `not-performed`, and that stays so here.
import type { DocumentCheck } from '../document/cross-checks.js';
import { InvalidArgumentError } from '../errors.js';
import type { DocumentCheckCode, DocumentCheckEvidence, Evidence } from './evidence.js';

const CODES: ReadonlySet<string> = new Set<DocumentCheckCode>([
  'MRZ_MISMATCH', 'DOCUMENT_EXPIRED', 'DOCUMENT_NOT_YET_VALID', 'DOCUMENT_TYPE_NOT_ALLOWED', 'ISSUER_NOT_ALLOWED',
  'MRZ_GEOMETRY_INCONSISTENT', 'MRZ_FONT_INCONSISTENT', 'UV_ANOMALY', 'IR_ANOMALY', 'PORTRAIT_MISMATCH', 'NOT_AVAILABLE', 'UNCERTAIN',
]);

/** A code outside the evidence vocabulary is a bug in the document engine's tables. */
function known(c: string): DocumentCheckCode {
  if (!CODES.has(c)) throw new InvalidArgumentError('document check code', 'a DocumentCheckCode', c);
  return c as DocumentCheckCode;
}

export function evidenceFromDocumentChecks(checks: readonly DocumentCheck[], options: { idPrefix?: string; at?: string; engine?: string } = {}): Evidence[] {
  const prefix = options.idPrefix ?? 'page';
  return checks.map((c): DocumentCheckEvidence => ({
    id: `${prefix}.${c.id}`,
    kind: 'document-check',
    source: 'document-check',
    check: c.kind,
    result: c.result,
    ...(c.code === undefined ? {} : { code: known(c.code) }),
    ...(options.at !== undefined ? { at: options.at } : {}),
    ...(options.engine !== undefined ? { engine: options.engine } : {}),
  }));
}
