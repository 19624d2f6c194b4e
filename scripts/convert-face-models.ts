// Build step (called from scripts/setup.sh): face-api's TensorFlow.js weights → ONNX models +
// descriptors in build/models/. Usage: npx tsx scripts/convert-face-models.ts [--force] [outDir]
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { convertFaceApiModels } from '../src/face/onnx/convert.js';

const args = process.argv.slice(2);
const force = args.includes('--force');
const outDir = resolve(args.find((a) => !a.startsWith('--')) ?? 'build/models');
const require = createRequire(import.meta.url);
const sourceDir = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');
const started = Date.now();
for (const r of convertFaceApiModels(sourceDir, outDir, { force })) {
  process.stdout.write(`${r.skipped ? 'up to date' : 'wrote'} ${r.onnx}\n`);
}
process.stdout.write(`face models ready in ${Date.now() - started} ms\n`);
