// Shared face types (issue 4). Every face module (detector, landmarks, recogniser, quality,
// liveness, matcher) speaks these; keep them small and stable. Coordinates are in pixels of the
// image the detector or landmark model was given, origin top-left, x to the right, y down.

/** An axis-aligned face box with the detector's confidence (0..1). */
export interface FaceBox {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly score: number;
}

export interface Point {
  readonly x: number;
  readonly y: number;
}

/**
 * The 68 points of the iBUG 300-W mark-up (the order dlib and face-api use: 0-16 jaw,
 * 17-21 / 22-26 brows, 27-35 nose, 36-41 / 42-47 eyes, 48-67 mouth), interleaved
 * x0,y0,x1,y1,... — 136 values, image pixels.
 */
export type Landmarks68 = Float32Array;

export const LANDMARK_COUNT = 68;

/** A face descriptor (128 values for the dlib-style ResNet; other models may differ). */
export type Embedding = Float32Array;

/** One detected face and what the later stages add to it. */
export interface FaceDetection {
  readonly box: FaceBox;
  readonly landmarks?: Landmarks68;
  readonly embedding?: Embedding;
}

/** Point i of a Landmarks68 (i in 0..67); undefined outside that range. */
export function landmarkPoint(lm: Landmarks68, i: number): Point | undefined {
  if (!Number.isInteger(i) || i < 0 || i >= LANDMARK_COUNT || lm.length < 2 * LANDMARK_COUNT) return undefined;
  return { x: lm[2 * i] ?? 0, y: lm[2 * i + 1] ?? 0 };
}
