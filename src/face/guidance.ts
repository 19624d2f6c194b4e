// What the kiosk tells the applicant in front of the face camera, frame by frame: stable codes
// (the UI, its translations and the visit record key on them) with default English texts, and
// the mapping from a live frame's portrait checks to the one most useful piece of advice.
// The order of FACE_GUIDANCE_CODES is the order of importance: the applicant sees the first
// that applies (a second person in the picture matters before a tilted head).
//
// "Remove your glasses" is in the catalogue for the clerk's and the UI's use, but no check
// raises it: no eyeglasses classifier ships in the packages this kiosk may use, and guessing
// it from landmarks would nag people whose glasses are fine (ICAO allows clear glasses).
import type { PortraitAssessment } from './quality/index.js';

export const FACE_GUIDANCE_CODES = [
  'lookAtCamera',
  'onlyOnePerson',
  'moveCloser',
  'moveBack',
  'centreFace',
  'lookStraight',
  'holdHeadLevel',
  'openEyes',
  'closeMouth',
  'moreLight',
  'holdStill',
  'removeGlasses',
] as const;

export type FaceGuidanceCode = (typeof FACE_GUIDANCE_CODES)[number];

export const FACE_GUIDANCE_TEXTS_EN: Readonly<Record<FaceGuidanceCode, string>> = {
  lookAtCamera: 'Stand in front of the screen and look at the camera.',
  onlyOnePerson: 'Only one person in front of the camera, please.',
  moveCloser: 'Come a little closer.',
  moveBack: 'Step back a little.',
  centreFace: 'Move so that your face is in the middle of the frame.',
  lookStraight: 'Look straight at the camera.',
  holdHeadLevel: 'Hold your head straight, not tilted.',
  openEyes: 'Keep your eyes open.',
  closeMouth: 'Close your mouth and keep a neutral face.',
  moreLight: 'Your face is too dark or too bright: please stand in the marked place.',
  holdStill: 'Hold still.',
  removeGlasses: 'Please take off your glasses.',
};

/**
 * Advice for a live frame judged with CAPTURE_LIMITS, most important first; empty when the
 * frame is good. Each failed check maps to the action that fixes it.
 */
export function faceGuidance(q: PortraitAssessment): FaceGuidanceCode[] {
  if (!q.faceFound) return ['lookAtCamera'];
  const out = new Set<FaceGuidanceCode>();
  const c = q.checks;
  const below = (name: keyof typeof c): boolean => {
    const { value, limit } = c[name];
    return Array.isArray(limit) ? value < limit[0] : value < (limit as number);
  };
  for (const name of q.failed) {
    switch (name) {
      case 'faceCount':
        out.add('onlyOnePerson');
        break;
      case 'eyeDistance':
        out.add('moveCloser');
        break;
      case 'headHeight':
        out.add(below('headHeight') ? 'moveCloser' : 'moveBack');
        break;
      case 'horizontalPosition':
      case 'eyeLine':
        out.add('centreFace');
        break;
      case 'yaw':
      case 'pitch':
        out.add('lookStraight');
        break;
      case 'roll':
        out.add('holdHeadLevel');
        break;
      case 'eyesOpen':
        out.add('openEyes');
        break;
      case 'mouthClosed':
        out.add('closeMouth');
        break;
      case 'exposure':
      case 'dynamicRange':
      case 'lightingBalance':
        out.add('moreLight');
        break;
      case 'sharpness':
        out.add('holdStill');
        break;
      case 'backgroundUniformity':
        // The kiosk's backdrop is fixed; a busy background means someone stands behind.
        out.add('onlyOnePerson');
        break;
    }
  }
  return FACE_GUIDANCE_CODES.filter((g) => out.has(g));
}
