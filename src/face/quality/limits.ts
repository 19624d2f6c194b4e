// Limits of the portrait quality checks, each with where it comes from. Two sets share one
// shape: PORTRAIT_LIMITS judges a finished portrait (the card photo, or a photo handed in) by
// the ICAO/ISO geometry; CAPTURE_LIMITS judges a live camera frame from which the card photo
// will be cropped, so its head-position limits only ask that the crop be possible.
//
// Standards cited: ISO/IEC 19794-5:2005 (face image data; its scene, photographic and
// full-frontal geometry requirements carried into ISO/IEC 39794-5:2019 Annex D and into the
// ICAO Technical Report "Portrait Quality (Reference Facial Images for MRTD)" v1.0, 2018),
// ISO/IEC 29794-5 (face image quality; the quality components measured here follow its
// list) and ICAO Doc 9303-3 (the portrait on the document). The clause numbers are those of
// ISO/IEC 19794-5:2005; where a standard states a requirement without a number, the number is
// this project's and the comment says why.

/** A closed range [min, max]. */
export type Range = readonly [number, number];

/** How a check's value is compared with its limit. */
export type CheckRule = 'atLeast' | 'atMost' | 'within';

export interface Check {
  readonly value: number;
  readonly limit: number | Range;
  readonly ok: boolean;
}

export const CHECK_NAMES = [
  'faceCount',
  'eyeDistance',
  'headHeight',
  'horizontalPosition',
  'eyeLine',
  'yaw',
  'pitch',
  'roll',
  'eyesOpen',
  'mouthClosed',
  'sharpness',
  'exposure',
  'dynamicRange',
  'lightingBalance',
  'backgroundUniformity',
] as const;
export type CheckName = (typeof CHECK_NAMES)[number];

export interface PortraitLimits {
  /** Number of faces in the image. */
  readonly faceCount: Range;
  /** Inter-eye distance, pixels. */
  readonly eyeDistance: number;
  /** Chin-to-crown height over the image height. */
  readonly headHeight: Range;
  /** Midpoint of the eyes, x over the image width. */
  readonly horizontalPosition: Range;
  /** Eye line's height above the bottom edge over the image height. */
  readonly eyeLine: Range;
  /** Head pose, degrees. */
  readonly yaw: Range;
  readonly pitch: Range;
  readonly roll: Range;
  /** Smaller of the two eye aspect ratios. */
  readonly eyesOpen: number;
  /** Inner-lip gap over inner-mouth width. */
  readonly mouthClosed: number;
  /** Variance of the Laplacian over the face at the canonical scale. */
  readonly sharpness: number;
  /** Mean grey level over the face. */
  readonly exposure: Range;
  /** Grey levels spanned over the face (0.5th to 99.5th percentile). */
  readonly dynamicRange: number;
  /** Darker face half's mean over the brighter half's. */
  readonly lightingBalance: number;
  /** Mean gradient magnitude of the background at the canonical scale, grey levels per pixel. */
  readonly backgroundUniformity: number;
}

export const CHECK_RULES: Readonly<Record<CheckName, CheckRule>> = {
  faceCount: 'within',
  eyeDistance: 'atLeast',
  headHeight: 'within',
  horizontalPosition: 'within',
  eyeLine: 'within',
  yaw: 'within',
  pitch: 'within',
  roll: 'within',
  eyesOpen: 'atLeast',
  mouthClosed: 'atMost',
  sharpness: 'atLeast',
  exposure: 'within',
  dynamicRange: 'atLeast',
  lightingBalance: 'atLeast',
  backgroundUniformity: 'atMost',
};

/** Exactly one face: ISO/IEC 19794-5:2005 §7.2.4 (one subject; nobody else in the image). */
export const FACE_COUNT: Range = [1, 1];

/**
 * At least 90 pixels between the eye centres: ISO/IEC 19794-5:2005 §8.4.1 (full-frontal
 * resolution: a head 180 px wide, about 90 px between the eyes), repeated as the minimum
 * inter-eye distance in ISO/IEC 39794-5:2019 Annex D and the ICAO Portrait Quality TR (which
 * recommends 120).
 */
export const MIN_EYE_DISTANCE_PX = 90;

/**
 * Chin to crown 70–80% of the portrait's height: ICAO's portrait guidance for travel
 * documents (ICAO Doc 9303-3 and the Portrait Quality TR: 32–36 mm of a 45 mm photo). The
 * crown is estimated from the landmarks (CROWN_FACTOR), within about ±5% of the head height.
 */
export const PORTRAIT_HEAD_HEIGHT: Range = [0.7, 0.8];

/** Eyes' midpoint 45–55% of the width: ISO/IEC 19794-5:2005 §8.3.2 (horizontally centred face). */
export const PORTRAIT_HORIZONTAL_POSITION: Range = [0.45, 0.55];

/** Eye line 50–70% of the height above the bottom edge: ISO/IEC 19794-5:2005 §8.3.3. */
export const PORTRAIT_EYE_LINE: Range = [0.5, 0.7];

/** Yaw and pitch within ±5°, roll within ±8°: ISO/IEC 19794-5:2005 §7.2.2 (pose). */
export const MAX_YAW_DEG = 5;
export const MAX_PITCH_DEG = 5;
export const MAX_ROLL_DEG = 8;

/**
 * Eyes open (ISO/IEC 19794-5:2005 §7.2.3, expression: eyes open, no number given). This
 * project's: an eye aspect ratio of 0.2 — open eyes measure 0.25–0.35 and closed ones under
 * 0.15 in Soukupová and Čech (CVWW 2016); face-api's landmarks on the 20 faces of its demo
 * photos give 0.26–0.35 (the smaller eye of each face), the generic face model 0.25.
 */
export const MIN_EYE_ASPECT_RATIO = 0.2;

/**
 * Mouth closed (ISO/IEC 19794-5:2005 §7.2.3, no number given). This project's: an inner-lip
 * gap of 15% of the inner mouth's width (~6 mm), above the lips' landmark noise, below a
 * parted-lips smile or speech (0.3–0.5).
 */
export const MAX_MOUTH_OPENING = 0.15;

/**
 * Inter-eye distance the face is rescaled to before sharpness is measured, so that the figure
 * does not depend on how many pixels the face covers (this project's; 64 px keeps the
 * skin's fine texture and the eyelashes, which defocus removes first).
 */
export const CANONICAL_EYE_DISTANCE_PX = 64;

/**
 * Focus (ISO/IEC 19794-5:2005 §7.3.3: the face in focus, no number given; ISO/IEC 29794-5
 * measures sharpness with a trained model). This project's: variance of the 3×3 Laplacian
 * over the face outline at CANONICAL_EYE_DISTANCE_PX. Measured on the 20 faces that the
 * converted face-api models find in face-api's demo photos (53–100 px between the eyes;
 * tests/integration/face-quality-real.test.ts), with Gaussian defocus σ added in canonical
 * pixels: as shot 190–2900 (median ~700), σ 1: 70–620, σ 1.5: 47–270, σ 2: 33–132. 150 passes
 * every face as shot and fails every face at σ 2. On the drawn faces of the unit tests (crisper
 * than skin): σ 0 ≈ 7000, σ 1 ≈ 900, σ 2 ≈ 120. Sensor noise raises the figure (noise of σ 6
 * grey levels alone gives ~180 on a defocused face): recalibrate on the kiosk camera.
 */
export const MIN_SHARPNESS = 150;

/**
 * Face exposure (ISO/IEC 19794-5:2005 §7.3.4 and ICAO: neither under- nor over-exposed, no
 * number given). This project's: the face's mean grey between 60 and 200 — below, skin detail
 * sinks into the sensor noise of a kiosk camera; above, highlights start to clip.
 */
export const EXPOSURE_RANGE: Range = [60, 200];

/**
 * At least 7 bits of intensity variation over the face: ISO/IEC 19794-5:2005 §7.4.3.2
 * (greyscale density), measured between the 0.5th and 99.5th percentiles so single noisy
 * pixels do not count.
 */
export const MIN_DYNAMIC_RANGE = 128;

/**
 * Even lighting, no shadow across the face (ISO/IEC 19794-5:2005 §7.3.2, no number given;
 * ISO/IEC 29794-5 "illumination uniformity"). This project's: the darker half of the face at
 * least 75% as bright as the other — side light at 45° that photographers call "flat" stays
 * above 0.85; a lamp from one side drops it below 0.6.
 */
export const MIN_LIGHTING_BALANCE = 0.75;

/**
 * Plain background (ISO/IEC 39794-5:2019 D.1.4.2.5; ISO/IEC 29794-5 "background
 * uniformity" measures the background's luminance gradients). This project's: a mean
 * gradient of 6 grey levels per pixel at the scale where the eyes are 32 px apart, after a
 * light blur — a plain wall with a lighting gradient and sensor noise measures 1.5–3 on the
 * test frames (more with defocus, which spreads the hair's edge outward); a wall of shapes and
 * lines measures over 10. Hair wider than 1.4 face-widths counts as background here: a face
 * parser (as ISO/IEC 29794-5's reference implementation uses) would separate it.
 */
export const MAX_BACKGROUND_GRADIENT = 6;

export const PORTRAIT_LIMITS: PortraitLimits = {
  faceCount: FACE_COUNT,
  eyeDistance: MIN_EYE_DISTANCE_PX,
  headHeight: PORTRAIT_HEAD_HEIGHT,
  horizontalPosition: PORTRAIT_HORIZONTAL_POSITION,
  eyeLine: PORTRAIT_EYE_LINE,
  yaw: [-MAX_YAW_DEG, MAX_YAW_DEG],
  pitch: [-MAX_PITCH_DEG, MAX_PITCH_DEG],
  roll: [-MAX_ROLL_DEG, MAX_ROLL_DEG],
  eyesOpen: MIN_EYE_ASPECT_RATIO,
  mouthClosed: MAX_MOUTH_OPENING,
  sharpness: MIN_SHARPNESS,
  exposure: EXPOSURE_RANGE,
  dynamicRange: MIN_DYNAMIC_RANGE,
  lightingBalance: MIN_LIGHTING_BALANCE,
  backgroundUniformity: MAX_BACKGROUND_GRADIENT,
};

/**
 * A live frame from which the card photo is cropped (this project's): the head between 25%
 * and 75% of the frame's height (smaller leaves too few pixels; larger leaves no room for the
 * card's margins above the crown and below the chin), the eyes' midpoint in the middle 40% of
 * the width and the eye line 40–85% above the bottom, so the crop has room on every side.
 * Whether the crop really fits is decided by ../card-photo.ts.
 */
export const CAPTURE_LIMITS: PortraitLimits = {
  ...PORTRAIT_LIMITS,
  headHeight: [0.25, 0.75],
  horizontalPosition: [0.3, 0.7],
  eyeLine: [0.4, 0.85],
};

export function evaluate(rule: CheckRule, value: number, limit: number | Range): Check {
  let ok: boolean;
  if (rule === 'within') {
    const [lo, hi] = typeof limit === 'number' ? [limit, limit] : limit;
    ok = value >= lo && value <= hi;
  } else {
    const l = typeof limit === 'number' ? limit : limit[0];
    ok = rule === 'atLeast' ? value >= l : value <= l;
  }
  return { value, limit, ok: ok && Number.isFinite(value) };
}
