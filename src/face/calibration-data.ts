// Written by scripts/calibrate-face.ts from measured scores; do not edit by hand.
import type { Calibration } from './calibration.js';

export const CALIBRATION: Calibration = {
  "version": 1,
  "model": {
    "name": "faceapi-recognition",
    "sha256": "84f008fd38b28d64e589aa374ef54b187c3f89adc1ffe3a033d37e0a73c18526"
  },
  "dataset": "dlib johns: 5 people, 48 crops with a face found (7 without); 11 faces of at least 80 px from dlib's group photos as one person each",
  "genuinePairs": 212,
  "impostorPairs": 1499,
  "points": [
    {
      "threshold": 0.9203752296654564,
      "fmr": 0.001,
      "impostorPairs": 1499,
      "basis": "measured",
      "observedFmr": 0.00066711140760507,
      "fnmr": 0
    },
    {
      "threshold": 0.9590517443500205,
      "fmr": 0.0001,
      "impostorPairs": 1499,
      "basis": "bound",
      "observedFmr": 0,
      "fnmr": 0.24528301886792453
    }
  ]
};
