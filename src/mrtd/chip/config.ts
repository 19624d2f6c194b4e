// chip.json of a virtual passport folder (CONFORMANCE.md §1): the chip's secrets and its
// behaviour. The file is hostile until parsed: every field is type-checked, unknown fields
// are refused by name (a misspelt quirk must not silently do nothing), and no value appears
// in an error message.
import { KioskError } from '../../errors.js';
import { FaultListError, parseFaults, type Fault } from './fault-list.js';

export class ChipConfigError extends KioskError {
  readonly code = 'CHIP_CONFIG';
  constructor(field: string, problem: string) {
    super(`chip.json: ${field}: ${problem}`);
  }
}

/** How a chip answers a READ BINARY that reaches or passes the end of the file. */
export type EndOfFileBehaviour =
  | '6282' // the remaining bytes with SW 6282 (ISO/IEC 7816-4 "end of file reached before Ne bytes")
  | '9000' // the remaining bytes with 9000 (a short last block)
  | '6B00'; // like 6282, but an offset beyond the end gets 6B00 instead of an empty answer

export interface ChipQuirks {
  /** Answers READ BINARY with Ne > 256 (extended-length APDUs). */
  readonly extendedLength: boolean;
  /** The largest response data field the chip returns (secure-messaging objects included); 6700 above it. */
  readonly maxResponseBytes: number;
  /** The largest command data field the chip accepts; larger commands must be chained. */
  readonly maxCommandBytes: number;
  readonly apduLatencyMs: number;
  readonly bitRateKbps: number;
  readonly endOfFile: EndOfFileBehaviour;
  /** Answers longer than this come in pieces with 61xx and GET RESPONSE (undefined: never). */
  readonly getResponseChunk?: number;
}

export interface ChipConfig {
  readonly mrz: string;
  readonly can: string | undefined;
  readonly bac: boolean;
  readonly activeAuthentication: { readonly privateKeyPem: string } | undefined;
  readonly chipAuthentication: readonly { readonly keyId: number | undefined; readonly privateKeyPem: string }[];
  readonly paceCamPrivateKeyPem: string | undefined;
  readonly terminalAuthentication: { readonly cvcaCertificates: readonly string[] } | undefined;
  readonly quirks: ChipQuirks;
  /**
   * Faults the simulator injects when it serves this chip (./fault-list.ts, ./faults.ts): a
   * broken document for technicians and the hostile-chip tests. Absent for a sound chip.
   */
  readonly faults?: readonly Fault[];
}

export const DEFAULT_QUIRKS: ChipQuirks = {
  extendedLength: false,
  maxResponseBytes: 256,
  maxCommandBytes: 255,
  apduLatencyMs: 0,
  bitRateKbps: 0,
  endOfFile: '6282',
};

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function only(o: Obj, allowed: readonly string[], where: string): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) throw new ChipConfigError(`${where}${k}`, 'unknown field');
}

function str(o: Obj, k: string, where = ''): string {
  const v = o[k];
  if (typeof v !== 'string' || v.length === 0) throw new ChipConfigError(where + k, 'must be a non-empty string');
  return v;
}

function optStr(o: Obj, k: string, where = ''): string | undefined {
  return o[k] === undefined ? undefined : str(o, k, where);
}

function pem(o: Obj, k: string, where: string): string {
  const v = str(o, k, where);
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(v)) throw new ChipConfigError(where + k, 'must be a PEM private key');
  return v;
}

function num(o: Obj, k: string, min: number, max: number, fallback: number, where: string): number {
  const v = o[k];
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) throw new ChipConfigError(where + k, `must be a number from ${min} to ${max}`);
  return v;
}

export function parseChipConfig(text: string): ChipConfig {
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch {
    throw new ChipConfigError('(file)', 'not valid JSON');
  }
  if (!isObj(j)) throw new ChipConfigError('(file)', 'must be a JSON object');
  only(j, ['mrz', 'can', 'bac', 'activeAuthentication', 'chipAuthentication', 'paceCamPrivateKeyPem', 'terminalAuthentication', 'quirks', 'faults'], '');
  const mrz = str(j, 'mrz');
  const can = optStr(j, 'can');
  if (can !== undefined && !/^[0-9]{6}$/.test(can)) throw new ChipConfigError('can', 'must be 6 digits');
  if (j.bac !== undefined && typeof j.bac !== 'boolean') throw new ChipConfigError('bac', 'must be true or false');
  let aa: ChipConfig['activeAuthentication'];
  if (j.activeAuthentication !== undefined) {
    if (!isObj(j.activeAuthentication)) throw new ChipConfigError('activeAuthentication', 'must be an object');
    only(j.activeAuthentication, ['privateKeyPem'], 'activeAuthentication.');
    aa = { privateKeyPem: pem(j.activeAuthentication, 'privateKeyPem', 'activeAuthentication.') };
  }
  const ca: { keyId: number | undefined; privateKeyPem: string }[] = [];
  if (j.chipAuthentication !== undefined) {
    if (!Array.isArray(j.chipAuthentication)) throw new ChipConfigError('chipAuthentication', 'must be an array');
    j.chipAuthentication.forEach((e: unknown, i) => {
      const w = `chipAuthentication[${i}].`;
      if (!isObj(e)) throw new ChipConfigError(w.slice(0, -1), 'must be an object');
      only(e, ['keyId', 'privateKeyPem'], w);
      const keyId = e.keyId === undefined ? undefined : num(e, 'keyId', 0, 2 ** 31, 0, w);
      if (keyId !== undefined && !Number.isInteger(keyId)) throw new ChipConfigError(`${w}keyId`, 'must be an integer');
      ca.push({ keyId, privateKeyPem: pem(e, 'privateKeyPem', w) });
    });
  }
  const cam = j.paceCamPrivateKeyPem === undefined ? undefined : pem(j, 'paceCamPrivateKeyPem', '');
  let ta: ChipConfig['terminalAuthentication'];
  if (j.terminalAuthentication !== undefined) {
    if (!isObj(j.terminalAuthentication)) throw new ChipConfigError('terminalAuthentication', 'must be an object');
    only(j.terminalAuthentication, ['cvcaCertificates'], 'terminalAuthentication.');
    const list = j.terminalAuthentication.cvcaCertificates;
    if (!Array.isArray(list) || !list.every((c): c is string => typeof c === 'string' && /^([0-9a-fA-F]{2})+$/.test(c))) {
      throw new ChipConfigError('terminalAuthentication.cvcaCertificates', 'must be an array of hex strings');
    }
    ta = { cvcaCertificates: list };
  }
  let quirks = DEFAULT_QUIRKS;
  if (j.quirks !== undefined) {
    const q = j.quirks;
    if (!isObj(q)) throw new ChipConfigError('quirks', 'must be an object');
    only(q, ['extendedLength', 'maxResponseBytes', 'maxCommandBytes', 'apduLatencyMs', 'bitRateKbps', 'endOfFile', 'getResponseChunk'], 'quirks.');
    if (q.extendedLength !== undefined && typeof q.extendedLength !== 'boolean') throw new ChipConfigError('quirks.extendedLength', 'must be true or false');
    const ext = q.extendedLength ?? DEFAULT_QUIRKS.extendedLength;
    const eof = q.endOfFile ?? DEFAULT_QUIRKS.endOfFile;
    if (eof !== '6282' && eof !== '9000' && eof !== '6B00') throw new ChipConfigError('quirks.endOfFile', 'must be "6282", "9000" or "6B00"');
    quirks = {
      extendedLength: ext,
      maxResponseBytes: num(q, 'maxResponseBytes', 32, 65536, ext ? 65536 : 256, 'quirks.'),
      maxCommandBytes: num(q, 'maxCommandBytes', 32, 65535, ext ? 65535 : 255, 'quirks.'),
      apduLatencyMs: num(q, 'apduLatencyMs', 0, 10000, 0, 'quirks.'),
      bitRateKbps: num(q, 'bitRateKbps', 0, 1e6, 0, 'quirks.'),
      endOfFile: eof,
      ...(q.getResponseChunk === undefined ? {} : { getResponseChunk: num(q, 'getResponseChunk', 16, 65536, 256, 'quirks.') }),
    };
  }
  let faults: Fault[] | undefined;
  if (j.faults !== undefined) {
    try {
      faults = parseFaults(j.faults);
    } catch (e) {
      if (e instanceof FaultListError) throw new ChipConfigError(e.field, e.problem);
      throw e;
    }
  }
  return {
    mrz,
    can,
    bac: j.bac ?? true,
    activeAuthentication: aa,
    chipAuthentication: ca,
    paceCamPrivateKeyPem: cam,
    terminalAuthentication: ta,
    quirks,
    ...(faults ? { faults } : {}),
  };
}
