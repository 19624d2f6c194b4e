// The live face capture of a visit: frames from the camera at its rate, each analysed by the
// face engine (in its child process) while the next is being taken, with per-frame guidance for
// the applicant, until enough good frames are held or time runs out. Frames the engine cannot
// keep up with are dropped by the camera's stream (never queued), so advice always describes
// the newest picture. Good frames keep their embeddings for the 1:1 with the chip.
import type { Camera, Frame } from '../devices/camera/contract.js';
import type { Image } from '../document/image.js';
import { AbortedError, InvalidArgumentError } from '../errors.js';
import type { FaceEngineProcess } from './engine-process.js';
import { faceGuidance, type FaceGuidanceCode } from './guidance.js';
import type { PortraitAssessment } from './quality/index.js';
import type { Embedding, FaceBox, Landmarks68 } from './types.js';

export interface LiveFrameResult {
  readonly sequence: number;
  readonly capturedAt: Date;
  readonly guidance: readonly FaceGuidanceCode[];
  readonly compliant: boolean;
  /** Engine time for the frame, ms. */
  readonly ms: number;
}

export interface GoodFrame {
  readonly image: Image;
  readonly box: FaceBox;
  readonly landmarks: Landmarks68;
  readonly embedding: Embedding;
  readonly quality: PortraitAssessment;
  readonly capturedAt: Date;
}

export interface LiveCaptureOptions {
  /** Stop once this many compliant frames are held (default 3). */
  readonly goodFrames?: number;
  /** Give up after this long, ms (default 20 s); the result says so. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /** Called for every analysed frame (the UI shows the guidance). */
  readonly onFrame?: (r: LiveFrameResult) => void;
  readonly now?: () => number;
}

export interface LiveCaptureResult {
  readonly good: readonly GoodFrame[];
  readonly analysed: number;
  /** Frames the camera dropped while the engine was busy. */
  readonly dropped: number;
  readonly outcome: 'enough' | 'timeout';
  /** The advice of the last analysed frame (what the applicant was last told). */
  readonly lastGuidance: readonly FaceGuidanceCode[];
}

/** The face engine as the live capture uses it (a FaceEngineProcess, or a test's stand-in). */
export type LiveFaceEngine = Pick<FaceEngineProcess, 'quality'>;

export async function captureLiveFace(camera: Pick<Camera, 'frames'>, engine: LiveFaceEngine, o: LiveCaptureOptions = {}): Promise<LiveCaptureResult> {
  const want = o.goodFrames ?? 3;
  if (!(Number.isInteger(want) && want >= 1 && want <= 30)) throw new InvalidArgumentError('goodFrames', '1 to 30', want);
  const timeoutMs = o.timeoutMs ?? 20_000;
  const now = o.now ?? Date.now;
  const deadline = now() + timeoutMs;
  const stop = new AbortController();
  const onAbort = (): void => {
    stop.abort(o.signal?.reason);
  };
  o.signal?.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => {
    stop.abort(new Error('live capture time is up'));
  }, timeoutMs);
  const stream = camera.frames({ signal: stop.signal });
  const good: GoodFrame[] = [];
  let analysed = 0;
  let lastGuidance: readonly FaceGuidanceCode[] = [];
  try {
    for (;;) {
      let frame: Frame;
      try {
        const next = await stream.next();
        if (next.done) break;
        frame = next.value;
      } catch (e) {
        if (e instanceof AbortedError && !o.signal?.aborted) break; // our own deadline
        throw e;
      }
      const t0 = now();
      const r = await engine.quality(frame.image, 'live', { embed: 'largest' }, { signal: stop.signal, timeoutMs: Math.max(1, deadline - now()) }).catch((e: unknown) => {
        if (e instanceof AbortedError && !o.signal?.aborted) return undefined;
        throw e;
      });
      if (!r?.quality) break;
      analysed++;
      const guidance = faceGuidance(r.quality);
      lastGuidance = guidance;
      const face = r.analysis.faces[0];
      const embedding = face?.embedding;
      const compliant = r.quality.compliant && embedding !== undefined;
      o.onFrame?.({ sequence: frame.sequence, capturedAt: frame.capturedAt, guidance, compliant, ms: now() - t0 });
      if (r.quality.compliant && face && embedding) {
        good.push({ image: frame.image, box: face.box, landmarks: face.landmarks, embedding, quality: r.quality, capturedAt: frame.capturedAt });
        if (good.length >= want) break;
      }
    }
  } finally {
    clearTimeout(timer);
    o.signal?.removeEventListener('abort', onAbort);
    await stream.return?.();
  }
  if (o.signal?.aborted) throw new AbortedError('face.live-capture', { cause: o.signal.reason });
  return { good, analysed, dropped: stream.dropped, outcome: good.length >= want ? 'enough' : 'timeout', lastGuidance };
}
