// OpenCV through @u4/opencv4nodejs, built against the system's libopencv-dev (Debian, or the
// Yocto sysroot). Loaded lazily, once: the module is large and only the document and face
// engines need it. Its build helper prints "Info:" lines on standard output when the module
// loads; they are silenced here, because standard output carries the tools' JSON results.
import { createRequire } from 'node:module';
import type * as OpenCv from '@u4/opencv4nodejs';
import { NativeError } from '../errors.js';

export type Cv = typeof OpenCv;
export type Mat = OpenCv.Mat;

const require = createRequire(import.meta.url);
let loaded: Cv | undefined;

export function opencv(): Cv {
  if (loaded) return loaded;
  // The module's Mat allocator reports every allocation to V8 (AdjustAmountOfExternalAllocatedMemory)
  // from inside OpenCV's own calls; under load this made V8 abort with "Check failed:
  // marking_done_" in a GC started from within warpPerspective (seen rendering and reading
  // data pages, Node 20). The module reads this switch once, when it loads.
  process.env.OPENCV4NODEJS_DISABLE_EXTERNAL_MEM_TRACKING ??= '1';
  // OpenCV's own warnings (e.g. openjpeg's "unknown colour space" on every JPEG 2000 portrait)
  // go to stderr outside the kiosk's log; errors reach us as exceptions anyway.
  process.env.OPENCV_LOG_LEVEL ??= 'ERROR';
  try {
    const build = require('@u4/opencv-build') as { Log: { silence: boolean } };
    build.Log.silence = true;
    loaded = require('@u4/opencv4nodejs') as Cv;
    return loaded;
  } catch (e) {
    throw new NativeError('opencv', 'ERR_OPENCV_LOAD', e instanceof Error ? e.message : 'cannot load @u4/opencv4nodejs');
  }
}
