// Portrait quality (ISO/IEC 29794-5 quality components, ICAO / ISO/IEC 19794-5 portrait rules)
// over an image and detected faces with 68 landmarks. See ./assess.ts for the entry point and
// ./limits.ts for every limit and its source.
export { assessPortrait, checkMargin, mainFaceIndex, measurePortrait, type AssessOptions, type LandmarkedFace, type PortraitAssessment } from './assess.js';
export { CAPTURE_LIMITS, CHECK_NAMES, CHECK_RULES, PORTRAIT_LIMITS, evaluate, type Check, type CheckName, type CheckRule, type PortraitLimits, type Range } from './limits.js';
export { estimatePose, RIGID_POINTS, type PoseMethod } from './pose.js';
export { GENERIC_FACE, projectFace, withExpression, type HeadPose, type HeadPlacement, type PinholeCamera, type Vec3 } from './face-model.js';
export { chinAndCrown, eyeAspectRatio, eyeAspectRatios, interEyeDistance, mouthOpening } from './landmarks.js';
