// `kioskctl conformance replay|sm` (CONFORMANCE.md §3): the reader's access control against a
// scripted chip, and one secure-messaging operation.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { performBac } from '../mrtd/access/bac.js';
import { parseCommand, parseResponse } from '../mrtd/apdu.js';
import { scriptedRandom } from '../mrtd/card.js';
import { ScriptedChip } from '../mrtd/conformance/scripted-chip.js';
import { isMrtdError } from '../mrtd/errors.js';
import { accessMrzInformation } from '../mrtd/mrz.js';
import { SmCodec } from '../mrtd/sm/codec.js';
import type { SessionKeys, SmCipher } from '../mrtd/sm/keys.js';
import type { MrtdNative } from '../native/mrtd.js';
import { fromHex, toHex } from '../util/bytes.js';
import { EXIT_FAILED, EXIT_OK, json, UsageError, type Io } from './io.js';
import { runPaceForReplay } from './replay-pace.js';

interface Script {
  name?: string;
  access: { mrz?: string; can?: string };
  files: Record<string, string>;
  random: string[];
  exchanges: { command: string; response: string }[];
}

function parseScript(text: string): Script {
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch {
    throw new UsageError('the replay file is not valid JSON');
  }
  const o = j as Partial<Script> | null;
  const hex = (v: unknown): v is string => typeof v === 'string' && /^([0-9a-fA-F]{2})*$/.test(v);
  if (!o || typeof o !== 'object' || !o.access || typeof o.access !== 'object') throw new UsageError('the replay file lacks "access"');
  if (o.access.mrz === undefined && o.access.can === undefined) throw new UsageError('"access" needs "mrz" or "can"');
  const files = o.files ?? {};
  if (typeof files !== 'object' || !Object.values(files).every(hex)) throw new UsageError('"files" must map names to hex');
  if (!Array.isArray(o.random) || !o.random.every(hex)) throw new UsageError('"random" must be a list of hex strings');
  if (!Array.isArray(o.exchanges) || !o.exchanges.every((e) => hex(e.command) && hex(e.response))) {
    throw new UsageError('"exchanges" must be a list of {command, response} hex');
  }
  return { access: o.access, files, random: o.random, exchanges: o.exchanges };
}

const sessionJson = (k: SessionKeys, ssc: Buffer): Record<string, string> => ({
  cipher: k.cipher,
  ksEnc: toHex(k.ksEnc),
  ksMac: toHex(k.ksMac),
  ssc: toHex(ssc),
});

export async function replay(args: string[], io: Io, native: MrtdNative): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  if (positionals.length !== 1) throw new UsageError('usage: kioskctl conformance replay FILE.json');
  let text: string;
  try {
    text = await readFile(positionals[0]!, 'utf8');
  } catch {
    throw new UsageError('cannot read the replay file');
  }
  const script = parseScript(text);
  const files = new Map(Object.entries(script.files).map(([k, v]) => [k, fromHex(v)]));
  const chip = new ScriptedChip(files, script.exchanges.map((e) => ({ command: fromHex(e.command), response: fromHex(e.response) })));
  const random = scriptedRandom(script.random.map((h) => fromHex(h)));
  try {
    if (files.has('EF.CardAccess')) {
      const r = await runPaceForReplay(chip, script.access, files.get('EF.CardAccess')!, { native, random });
      json(io, { ok: true, protocol: 'PACE', variant: r.variant, session: sessionJson(r.keys, r.keys.ssc) });
    } else {
      if (script.access.mrz === undefined) throw new UsageError('BAC needs "mrz"');
      const r = await performBac(chip, accessMrzInformation(script.access.mrz).text, { native, random });
      json(io, { ok: true, protocol: 'BAC', session: sessionJson(r.keys, r.keys.ssc) });
    }
  } catch (e) {
    if (e instanceof UsageError) throw e;
    io.err(`replay failed: ${e instanceof Error ? e.message : 'error'}`);
    json(io, { ok: false, error: isMrtdError(e) ? e.code : e instanceof Error ? e.name : 'error' });
    return EXIT_FAILED;
  }
  if (!chip.finished) {
    io.err('replay ended before every scripted exchange was used');
    return EXIT_FAILED;
  }
  return EXIT_OK;
}

export function sm(args: string[], io: Io, native: MrtdNative): number {
  const { values } = parseArgs({
    args,
    options: {
      cipher: { type: 'string' },
      'ks-enc': { type: 'string' },
      'ks-mac': { type: 'string' },
      ssc: { type: 'string' },
      wrap: { type: 'string' },
      unwrap: { type: 'string' },
    },
  });
  const cipherArg = values.cipher?.toLowerCase();
  if (cipherArg !== '3des' && cipherArg !== 'aes') throw new UsageError('--cipher must be 3des or aes');
  if (!values['ks-enc'] || !values['ks-mac'] || !values.ssc) throw new UsageError('--ks-enc, --ks-mac and --ssc are required');
  if ((values.wrap === undefined) === (values.unwrap === undefined)) throw new UsageError('give exactly one of --wrap and --unwrap');
  let keys: SessionKeys;
  try {
    const ksEnc = fromHex(values['ks-enc'], '--ks-enc');
    const cipher: SmCipher = cipherArg === '3des' ? '3DES' : ksEnc.length === 32 ? 'AES-256' : ksEnc.length === 24 ? 'AES-192' : 'AES-128';
    keys = { cipher, ksEnc, ksMac: fromHex(values['ks-mac'], '--ks-mac'), ssc: fromHex(values.ssc, '--ssc') };
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : 'bad hex');
  }
  let codec: SmCodec;
  try {
    codec = new SmCodec(keys, native);
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : 'bad keys');
  }
  if (values.wrap !== undefined) {
    let apdu;
    try {
      apdu = parseCommand(fromHex(values.wrap, '--wrap'));
    } catch (e) {
      throw new UsageError(e instanceof Error ? e.message : 'bad APDU');
    }
    const wrapped = codec.wrapCommand(apdu);
    json(io, { apdu: toHex(wrapped), ssc: toHex(codec.ssc) });
    return EXIT_OK;
  }
  let resp;
  try {
    resp = parseResponse(fromHex(values.unwrap ?? '', '--unwrap'));
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : 'bad response');
  }
  try {
    const r = codec.unwrapResponse(resp);
    json(io, { data: toHex(r.data), sw: r.sw.toString(16).toUpperCase().padStart(4, '0'), ssc: toHex(codec.ssc) });
    return EXIT_OK;
  } catch (e) {
    if (isMrtdError(e)) {
      io.err(e.code);
      return EXIT_FAILED;
    }
    throw e;
  }
}
