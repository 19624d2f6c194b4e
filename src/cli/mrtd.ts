// `kioskctl mrtd read` and `kioskctl mrtd make-passport` (CONFORMANCE.md §3).
import { parseArgs } from 'node:util';
import { LineLogger } from '../log.js';
import { systemRandom } from '../mrtd/card.js';
import { loadPassportFolder, PassportFolderError } from '../mrtd/chip/folder.js';
import { ChipConfigError } from '../mrtd/chip/config.js';
import { inspectDocument, type InspectionRequest } from '../mrtd/inspection/inspect.js';
import { defaultProtocols } from '../mrtd/inspection/default-protocols.js';
import type { InspectionReport } from '../mrtd/inspection/report.js';
import { loadTrustStore, type TrustStore } from '../mrtd/pki/trust-store.js';
import type { MrtdNative } from '../native/mrtd.js';
import { openCardChannel, type CardSource } from './card-source.js';
import { EXIT_FAILED, EXIT_OK, json, UsageError, type Io } from './io.js';
import { makePassport, parseMakePassportArgs } from './make-passport.js';

export async function readCommand(args: string[], io: Io, native: MrtdNative): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      virtual: { type: 'string' },
      reader: { type: 'string' },
      mrz: { type: 'string' },
      can: { type: 'string' },
      trust: { type: 'string' },
      json: { type: 'boolean', default: false },
      'allow-bac-fallback': { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
    },
  });
  if ((values.virtual === undefined) === (values.reader === undefined)) throw new UsageError('give exactly one of --virtual DIR and --reader NAME');
  if ((values.mrz === undefined) === (values.can === undefined)) throw new UsageError('give exactly one of --mrz and --can');
  if (values.can !== undefined && !/^[0-9]{6}$/.test(values.can)) throw new UsageError('--can must be 6 digits');
  if (!values.trust) throw new UsageError('--trust DIR is required');
  let trust: TrustStore;
  try {
    trust = await loadTrustStore(values.trust, { ecdsaVerifyExplicit: (c, q, d, r, s) => native.ecdsaVerify(c, q, d, r, s) });
  } catch (e) {
    throw new UsageError(`cannot read the trust folder (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const logger = new LineLogger({ level: values.verbose ? 'debug' : 'warn' });
  let source: CardSource;
  try {
    source = values.virtual !== undefined
      ? { kind: 'virtual', passport: await loadPassportFolder(values.virtual) }
      : { kind: 'pcsc', readerName: values.reader! };
  } catch (e) {
    if (e instanceof PassportFolderError || e instanceof ChipConfigError) throw new UsageError(e.message);
    throw e;
  }
  const channel = await openCardChannel(source, { native, logger });
  try {
    const request: InspectionRequest = {
      card: channel.card,
      extendedLength: channel.extendedLength,
      access: values.mrz !== undefined ? { mrz: values.mrz } : { can: values.can! },
      trust,
      policy: { allowBacAfterPaceFailure: values['allow-bac-fallback'] },
    };
    const { report } = await inspectDocument(request, { native, random: systemRandom, logger, now: () => new Date(), protocols: defaultProtocols() });
    if (values.json) json(io, report);
    else io.out(humanReport(report));
    return report.errors.length > 0 && report.access.protocol === 'none' ? EXIT_FAILED : EXIT_OK;
  } finally {
    await channel.close();
  }
}

export function humanReport(r: InspectionReport): string {
  const failed = (codes: readonly string[]): string => (codes.length ? ` [${codes.join(', ')}]` : '');
  const lines = [
    `verdict: ${r.verdict}`,
    `access: ${r.access.protocol}${r.access.variant ? ` (${r.access.variant})` : ''}${r.access.password ? ` with ${r.access.password}` : ''}`,
    ...r.access.attempts.filter((a) => a.result === 'fail').map((a) => `  failed attempt: ${a.protocol}${a.error ? `: ${a.error}` : ''}`),
    `passive authentication: ${r.passive.verdict}${failed(r.passive.failures)}${r.passive.signer?.csca ? ` (signed by ${r.passive.signer.dsSubject}, issued by ${r.passive.signer.csca.subject})` : ''}`,
    ...(r.cardSecurity ? [`EF.CardSecurity: ${r.cardSecurity.verdict}${failed(r.cardSecurity.failures)}`] : []),
    `chip authentication: ${r.chip.verdict}${r.chip.method ? ` (${r.chip.method})` : ''}${failed(r.chip.failures)}`,
    ...r.chip.checks.map((c) => `  ${c.method}: ${c.result}${c.detail ? ` — ${c.detail}` : ''}`),
    ...r.consistency.map((c) => `${c.id}: ${c.result}${c.code ? ` [${c.code}]` : ''}`),
    `files: ${Object.entries(r.files).map(([k, v]) => `${k} ${v.bytes} B`).join(', ')}`,
    ...(r.faces ?? []).map((f, i) => `face ${i + 1}: ${f.format}${f.width ? ` ${f.width}×${f.height ?? '?'}` : ''}, ${f.bytes} B`),
    ...Object.entries(r.notRead).map(([k, v]) => `not read: ${k}: ${v}`),
    ...r.errors.map((e) => `error: ${e}`),
    `link: ${r.stats.apdus} APDUs, ${r.stats.bytesOut} B out, ${r.stats.bytesIn} B in, ${r.stats.ms} ms`,
  ];
  return lines.join('\n');
}

export async function makePassportCommand(args: string[], io: Io): Promise<number> {
  const options = parseMakePassportArgs(args);
  const result = await makePassport(options, { now: () => new Date() });
  json(io, result);
  return EXIT_OK;
}
