import { KioskError } from '../../errors.js';

export type FaceModelErrorCode = 'MODEL_MISSING' | 'MODEL_INVALID' | 'MODEL_MISMATCH' | 'MODEL_RUN';

/**
 * A face model that cannot be used: its files are missing (the build step did not run), its
 * descriptor or ONNX file is malformed, its graph does not match its descriptor, or a run
 * failed. Always a technician's problem, never the applicant's.
 */
export class FaceModelError extends KioskError {
  readonly code = 'FACE_MODEL';
  readonly reason: FaceModelErrorCode;
  readonly model: string;
  constructor(reason: FaceModelErrorCode, model: string, detail: string, options?: { cause?: unknown }) {
    super(`${reason} ${model}: ${detail}`, options);
    this.reason = reason;
    this.model = model;
  }
}

export const isFaceModelError = (e: unknown): e is FaceModelError => e instanceof FaceModelError;
