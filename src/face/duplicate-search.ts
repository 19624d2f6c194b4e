// 1:N against the case register's face gallery, to reveal a person already known under another
// identity. The gallery holds one normalised embedding per register record (FaceGallery, the
// SIMD matcher); `sameIdentity` tells the applicant's own records from others'. The outcome is
// a DuplicateSearchEvidence for the identity confidence: `fail` with DUPLICATE_HIT exactly when
// a candidate at or above the threshold belongs to another identity. The register's references
// are opaque: the evidence never carries anyone's personal data.
//
// Threshold: a search compares the probe with every record, so its false positive
// identification rate grows with the gallery (FPIR ≈ N × FMR for small FMR, ISO/IEC 19795-1).
// The search therefore uses the strictest calibrated point and reports the FPIR it implies.
import type { DuplicateCandidate, DuplicateSearchEvidence } from '../visit/evidence.js';
import { operatingPoint, type Calibration } from './calibration.js';
import { normalise } from './compare.js';
import type { FaceGallery } from './gallery.js';
import type { Embedding } from './types.js';

export interface DuplicateSearchOptions {
  readonly calibration: Calibration;
  /** Per-comparison FMR of the threshold (default 1e-4, the strictest calibrated point). */
  readonly fmr?: number;
  /** Candidates returned for a clerk to review (default 5). */
  readonly k?: number;
  /** Whether a gallery record belongs to the identity the applicant claims. */
  readonly sameIdentity: (recordId: bigint) => boolean;
  readonly signal?: AbortSignal;
  readonly now?: () => Date;
}

export async function searchDuplicates(gallery: FaceGallery, probe: Embedding, o: DuplicateSearchOptions): Promise<DuplicateSearchEvidence> {
  const point = operatingPoint(o.calibration, o.fmr ?? 1e-4);
  const base = { id: 'face.1toN', kind: 'duplicate-search', source: 'duplicate-search', modality: 'face', engine: 'face-matcher/1', ...(o.now ? { at: o.now().toISOString() } : {}) } as const;
  const size = gallery.size;
  const fpir = Math.min(1, size * point.fmr);
  if (size === 0) return { ...base, result: 'pass', values: { threshold: point.threshold, fpir: 0 }, candidates: [] };
  const hits = await gallery.search(normalise(probe), Math.min(o.k ?? 5, size), o.signal ? { signal: o.signal } : {});
  const candidates: DuplicateCandidate[] = hits
    .filter((h) => h.score >= point.threshold)
    .map((h) => ({ ref: `face-record:${h.id.toString()}`, score: h.score, sameIdentity: o.sameIdentity(h.id) }));
  const duplicate = candidates.some((c) => !c.sameIdentity);
  return duplicate
    ? { ...base, result: 'fail', code: 'DUPLICATE_HIT', values: { threshold: point.threshold, fpir }, candidates }
    : { ...base, result: 'pass', values: { threshold: point.threshold, fpir }, candidates };
}
