// npm run bench:mrtd — reading a passport end to end: PACE, EF.COM, EF.SOD, DG1, DG2 (20 KB),
// DG14, DG15, passive authentication, CA and AA, with the chip in a process of its own behind
// a link model of 424 kbit/s and 10 ms per APDU. Our reader against a baseline that reads in
// JMRTD's default 223-byte blocks, in the same run, side by side. Host CPU is this process's
// CPU time during the inspection (the chip's work is in the other process).
// Two setups:
// 1. link: the simulated reader applies the link model exactly; the chip answers over a pipe.
//    These are the headline figures.
// 2. pcsc: the same chip through vpcd into pcscd and the PC/SC reader, as the kiosk reads a
//    card. The vpcd driver adds about 40 ms to each APDU (its socket writes meet Nagle's
//    algorithm and delayed ACKs), so wall times here show the stack, not the protocol.
// The last line is one JSON object of the figures.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { loadPcscliteBinding } from '../src/devices/card-reader/pcsc-binding.js';
import { SimulatedCardReader } from '../src/devices/card-reader/simulated.js';
import type { CardReader } from '../src/devices/card-reader/contract.js';
import type { ChipLike } from '../src/mrtd/chip/link.js';
import { deframer, frame, PIPE } from './chip-server.js';
import { PcscCardReader } from '../src/devices/card-reader/pcsc.js';
import { LineLogger } from '../src/log.js';
import { systemRandom } from '../src/mrtd/card.js';
import { makePassport } from '../src/mrtd/generator/make-passport.js';
import { defaultProtocols } from '../src/mrtd/inspection/default-protocols.js';
import { inspectDocument } from '../src/mrtd/inspection/inspect.js';
import type { FileReaderFactory } from '../src/mrtd/inspection/read-file.js';
import type { InspectionReport } from '../src/mrtd/inspection/report.js';
import { loadTrustStore, type TrustStore } from '../src/mrtd/pki/trust-store.js';
import { defaultMrtdNative } from '../src/native/mrtd.js';
import { Pcscd } from '../src/platform/pcscd.js';
import { platformPaths } from '../src/platform/paths.js';
import { baselineReader } from './baseline-reader.js';

const MRZ = 'P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10';
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const PCSC_RUNS = Number(process.env.BENCH_PCSC_RUNS ?? 3);
const LINK = { apduLatencyMs: 10, bitRateKbps: 424 };

interface Run {
  apdus: number;
  bytesIn: number;
  bytesOut: number;
  wallMs: number;
  hostCpuMs: number;
  verdict: string;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

function spawnChip(args: string[]): ChildProcess {
  // Compiled (dist/bench/*.js) or straight from source through tsx (bench/*.ts).
  const fromSource = import.meta.url.endsWith('.ts');
  const script = fileURLToPath(new URL(fromSource ? './chip-server.ts' : './chip-server.js', import.meta.url));
  return spawn(process.execPath, [...(fromSource ? ['--import', 'tsx'] : []), script, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
}

/** The chip process behind a pipe, as a ChipLike for the simulated reader. */
async function pipeChip(folder: string): Promise<{ chip: ChipLike; child: ChildProcess }> {
  const child = spawnChip(['pipe', folder]);
  const waiting: ((b: Buffer) => void)[] = [];
  child.stdout!.on('data', deframer((p) => waiting.shift()?.(p)));
  const ask = (kind: number, body: Uint8Array = Buffer.alloc(0)): Promise<Buffer> =>
    new Promise((resolve) => {
      waiting.push(resolve);
      child.stdin!.write(frame(Buffer.concat([Buffer.from([kind]), body])));
    });
  const historicalBytes = await ask(PIPE.HISTORICAL);
  return {
    child,
    chip: {
      historicalBytes,
      process: (command) => ask(PIPE.APDU, command),
      reset: () => void ask(PIPE.RESET),
    },
  };
}

async function startChip(folder: string, host: string, port: number): Promise<ChildProcess> {
  const child = spawnChip(['vpcd', folder, host, String(port)]);
  const lines = createInterface({ input: child.stdout! });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`chip server exited (${code ?? 'signal'})`)));
    lines.once('line', (l) => (l === 'ready' ? resolve() : reject(new Error('chip server did not start'))));
  });
  return child;
}

async function inspectOnce(reader: CardReader, trust: TrustStore, fileReader: FileReaderFactory | undefined): Promise<Run> {
  await reader.waitForCard({ timeoutMs: 10000 });
  const channel = await reader.connect();
  const native = defaultMrtdNative();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const { report } = await inspectDocument(
    { card: channel, extendedLength: channel.extendedLength.supported, access: { mrz: MRZ }, trust },
    { native, random: systemRandom, logger: new LineLogger({ level: 'error' }), now: () => new Date(), protocols: defaultProtocols(), ...(fileReader ? { fileReader } : {}) },
  );
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  await channel.disconnect();
  return { ...pick(report), wallMs, hostCpuMs: (cpu.user + cpu.system) / 1000 };
}

const pick = (r: InspectionReport): Pick<Run, 'apdus' | 'bytesIn' | 'bytesOut' | 'verdict'> => ({ apdus: r.stats.apdus, bytesIn: r.stats.bytesIn, bytesOut: r.stats.bytesOut, verdict: r.verdict });

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-mrtd-'));
  const folder = join(dir, 'passport');
  const made = await makePassport(
    {
      outDir: folder, mrz: MRZ, pkiDir: join(dir, 'pki'), bac: true, dg2Format: 'ISO19794-5', dg2Bytes: 20480,
      pace: { keyAgreement: 'ECDH', mapping: 'GM', cipher: 'AES-128', parameterId: 13 }, ca: 'ecdh', aa: 'ecdsa',
      hash: 'sha256', signer: 'ecdsa', explicitParameters: false,
      quirks: { extendedLength: true, maxResponseBytes: 65533, ...LINK }, extraStates: { UTO: 'UT' },
    },
    { now: () => new Date() },
  );
  const trust = await loadTrustStore(made.trust);
  const runBoth = async (reader: CardReader, runs: number, ours: Run[], base: Run[]): Promise<void> => {
    await inspectOnce(reader, trust, undefined); // warm-up: JIT, OpenSSL tables, reader context
    for (let i = 0; i < runs; i++) {
      ours.push(await inspectOnce(reader, trust, undefined));
      base.push(await inspectOnce(reader, trust, baselineReader));
    }
  };
  const stop = new AbortController();
  // 1. The link model, exactly.
  const ours: Run[] = [];
  const base: Run[] = [];
  const piped = await pipeChip(folder);
  const sim = new SimulatedCardReader({ link: { latencyMs: LINK.apduLatencyMs, bitRateKbps: LINK.bitRateKbps } });
  try {
    await sim.start(stop.signal);
    sim.insert(piped.chip);
    await runBoth(sim, RUNS, ours, base);
  } finally {
    await sim.stop();
    piped.child.stdin!.end();
  }
  // 2. The PC/SC stack.
  const pcscOurs: Run[] = [];
  const pcscBase: Run[] = [];
  const paths = platformPaths(process.env);
  const pcscd = new Pcscd({ paths, mode: 'system' });
  await pcscd.start(stop.signal);
  const chip = await startChip(folder, paths.vpcdHost, pcscd.vpcdPort);
  const reader = new PcscCardReader({ binding: loadPcscliteBinding(), readerName: new RegExp(`^${pcscd.readerName(0)}`), socketPath: pcscd.socketPath });
  try {
    await reader.start(stop.signal);
    await runBoth(reader, PCSC_RUNS, pcscOurs, pcscBase);
  } finally {
    stop.abort();
    await reader.stop();
    chip.kill('SIGTERM');
    await pcscd.stop();
    await rm(dir, { recursive: true, force: true });
  }
  const m = (rs: Run[], k: keyof Omit<Run, 'verdict'>): number => median(rs.map((r) => r[k]));
  const table = (title: string, a: Run[], b: Run[]): string[] => {
    const row = (label: string, k: keyof Omit<Run, 'verdict'>, digits = 0): string =>
      `${label.padEnd(28)}${m(a, k).toFixed(digits).padStart(12)}${m(b, k).toFixed(digits).padStart(14)}${(m(a, k) / m(b, k)).toFixed(2).padStart(10)}`;
    return [
      title,
      `${''.padEnd(28)}${'ours'.padStart(12)}${'baseline 223'.padStart(14)}${'ratio'.padStart(10)}`,
      row('APDU round trips', 'apdus'),
      row('bytes from chip', 'bytesIn'),
      row('bytes to chip', 'bytesOut'),
      row('wall time (ms)', 'wallMs', 1),
      row('host CPU (ms)', 'hostCpuMs', 1),
      `verdicts: ours ${[...new Set(a.map((r) => r.verdict))].join('/')}, baseline ${[...new Set(b.map((r) => r.verdict))].join('/')}`,
      '',
    ];
  };
  const out = [
    `chip: PACE ECDH-GM AES-128, CA ECDH, AA ECDSA, DG2 ${made.files.DG2} B; link ${LINK.bitRateKbps} kbit/s, ${LINK.apduLatencyMs} ms/APDU`,
    '',
    ...table(`1. link model, simulated reader, chip in its own process (median of ${RUNS} runs)`, ours, base),
    ...table(`2. PC/SC: pcscd + vpcd + pcsclite, chip in its own process (median of ${PCSC_RUNS} runs)`, pcscOurs, pcscBase),
  ];
  process.stdout.write(out.join('\n'));
  process.stdout.write(
    JSON.stringify({
      roundTrips: m(ours, 'apdus'),
      baselineRoundTrips: m(base, 'apdus'),
      hostCpuMs: Number(m(ours, 'hostCpuMs').toFixed(1)),
      baselineHostCpuMs: Number(m(base, 'hostCpuMs').toFixed(1)),
      wallMs: Number(m(ours, 'wallMs').toFixed(1)),
      baselineWallMs: Number(m(base, 'wallMs').toFixed(1)),
      bytesIn: m(ours, 'bytesIn'),
      baselineBytesIn: m(base, 'bytesIn'),
      dg2Bytes: made.files.DG2,
      runs: RUNS,
      pcscRoundTrips: m(pcscOurs, 'apdus'),
      pcscBaselineRoundTrips: m(pcscBase, 'apdus'),
      pcscWallMs: Number(m(pcscOurs, 'wallMs').toFixed(1)),
      pcscBaselineWallMs: Number(m(pcscBase, 'wallMs').toFixed(1)),
      pcscHostCpuMs: Number(m(pcscOurs, 'hostCpuMs').toFixed(1)),
      pcscRuns: PCSC_RUNS,
    }) + '\n',
  );
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:mrtd failed: ${e instanceof Error ? e.stack ?? e.message : 'error'}\n`);
  process.exitCode = 1;
});
