// The benchmark's chip, in a process of its own so that its CPU time (the chip's side of PACE,
// CA, AA and secure messaging) is not counted as the reader's. Loads a virtual passport folder
// and serves it until SIGTERM or the end of its input, either
// - `vpcd HOST PORT`: through vpcd into pcscd, with the folder's link model, or
// - `pipe`: over its stdin/stdout, frames of a 4-byte big-endian length and a payload whose
//   first byte says what it is (1 = command APDU, 2 = reset, 3 = historical bytes); the
//   reader's side applies the link model.
import { LineLogger } from '../src/log.js';
import { loadPassportFolder } from '../src/mrtd/chip/folder.js';
import { VpcdCard } from '../src/mrtd/chip/vpcd.js';
import { virtualChipOf } from '../src/cli/card-source.js';
import { defaultMrtdNative } from '../src/native/mrtd.js';

export const PIPE = { APDU: 1, RESET: 2, HISTORICAL: 3 } as const;

export function frame(payload: Uint8Array): Buffer {
  const h = Buffer.alloc(4);
  h.writeUInt32BE(payload.length);
  return Buffer.concat([h, payload]);
}

/** Splits a byte stream into frames. */
export function deframer(onFrame: (payload: Buffer) => void): (chunk: Buffer) => void {
  let buf = Buffer.alloc(0);
  return (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    while (buf.length >= 4) {
      const n = buf.readUInt32BE(0);
      if (buf.length < 4 + n) break;
      onFrame(buf.subarray(4, 4 + n));
      buf = buf.subarray(4 + n);
    }
  };
}

async function main(): Promise<void> {
  const [mode, folder, host, port] = process.argv.slice(2);
  if (!folder || (mode !== 'pipe' && (mode !== 'vpcd' || !host || !port))) throw new Error('usage: chip-server (pipe FOLDER | vpcd FOLDER HOST PORT)');
  const passport = await loadPassportFolder(folder);
  const chip = virtualChipOf(passport, defaultMrtdNative());
  if (mode === 'pipe') {
    let queue = Promise.resolve();
    process.stdin.on(
      'data',
      deframer((p) => {
        queue = queue.then(async () => {
          const kind = p[0];
          if (kind === PIPE.RESET) {
            chip.reset?.();
            process.stdout.write(frame(Buffer.alloc(0)));
          } else if (kind === PIPE.HISTORICAL) process.stdout.write(frame(chip.historicalBytes ?? Buffer.alloc(0)));
          else process.stdout.write(frame(await chip.process(p.subarray(1))));
        });
      }),
    );
    process.stdin.on('end', () => process.exit(0));
    return;
  }
  const q = passport.config.quirks;
  const stop = new AbortController();
  const card = new VpcdCard({
    chip,
    host: host!,
    port: Number(port),
    link: { latencyMs: q.apduLatencyMs, bitRateKbps: q.bitRateKbps > 0 ? q.bitRateKbps : Infinity },
    logger: new LineLogger({ level: 'warn' }),
  });
  await card.start(stop.signal);
  await card.insert({ timeoutMs: 10000 });
  process.stdout.write('ready\n');
  process.on('SIGTERM', () => {
    stop.abort();
    void card.stop().then(() => process.exit(0));
  });
}

const isMain = process.argv[1] !== undefined && /chip-server\.(js|ts)$/.test(process.argv[1]);
if (isMain) {
  main().catch((e: unknown) => {
    process.stderr.write(`chip-server: ${e instanceof Error ? e.message : 'failed'}\n`);
    process.exit(1);
  });
}
