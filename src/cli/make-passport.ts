// Command-line options of `kioskctl mrtd make-passport` (CONFORMANCE.md §3 plus extensions).
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { ChipQuirks } from '../mrtd/chip/config.js';
import type { Cipher, Mapping } from '../mrtd/lds/oids.js';
import { makePassport as generate, type MakePassportDeps, type MakePassportOptions, type MakePassportResult } from '../mrtd/generator/make-passport.js';
import { HASH_NAMES } from '../mrtd/pki/oids.js';
import { UsageError } from './io.js';

export const MAKE_PASSPORT_HELP = `kioskctl mrtd make-passport OUTDIR --mrz TEXT [options]
  --photo FILE            portrait (JPEG or JPEG 2000); default: a drawn stand-in
  --pki DIR               test PKI folder (made when missing; CSCA into DIR/trust); default OUTDIR/pki
  --pace                  offer PACE (EF.CardAccess); default ECDH generic mapping, AES-128, brainpoolP256r1
  --pace-mapping gm|im|cam   --pace-ka ecdh|dh   --pace-cipher 3des|aes128|aes192|aes256   --pace-param ID
  --can DIGITS            card access number for PACE with CAN
  --no-bac                a PACE-only chip
  --aa rsa|ecdsa          Active Authentication key (DG15)
  --ca ecdh|dh            Chip Authentication key (DG14)   --ca-cipher 3des|aes128|aes192|aes256
  --dg2-format 19794|39794   --dg2-bytes N (grow DG2 to about N bytes)
  --signer ecdsa|rsa|rsa-pss   --hash sha1|sha224|sha256|sha384|sha512   --explicit (explicit EC parameters)
  --short-only            no extended-length APDUs   --max-response N   --latency MS   --bitrate KBPS   --eof 6282|9000|6B00`;

interface ParsedMakePassport extends Omit<MakePassportOptions, 'photo'> {
  readonly photoPath: string | undefined;
}

const one = <T extends string>(name: string, v: string | undefined, allowed: readonly T[]): T | undefined => {
  if (v === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(v)) throw new UsageError(`${name} must be one of ${allowed.join(', ')}`);
  return v as T;
};

const int = (name: string, v: string | undefined, min: number, max: number): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${name} must be an integer from ${min} to ${max}`);
  return n;
};

const CIPHERS = { '3des': '3DES', aes128: 'AES-128', aes192: 'AES-192', aes256: 'AES-256' } as const satisfies Record<string, Cipher>;

export function parseMakePassportArgs(args: string[]): ParsedMakePassport {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      mrz: { type: 'string' },
      photo: { type: 'string' },
      pki: { type: 'string' },
      pace: { type: 'boolean', default: false },
      'pace-mapping': { type: 'string' },
      'pace-ka': { type: 'string' },
      'pace-cipher': { type: 'string' },
      'pace-param': { type: 'string' },
      can: { type: 'string' },
      'no-bac': { type: 'boolean', default: false },
      aa: { type: 'string' },
      ca: { type: 'string' },
      'ca-cipher': { type: 'string' },
      'dg2-format': { type: 'string' },
      'dg2-bytes': { type: 'string' },
      signer: { type: 'string' },
      hash: { type: 'string' },
      explicit: { type: 'boolean', default: false },
      'short-only': { type: 'boolean', default: false },
      'max-response': { type: 'string' },
      latency: { type: 'string' },
      bitrate: { type: 'string' },
      eof: { type: 'string' },
    },
  });
  if (positionals.length !== 1) throw new UsageError(`OUTDIR is required\n${MAKE_PASSPORT_HELP}`);
  if (!values.mrz) throw new UsageError('--mrz is required');
  if (values.can !== undefined && !/^[0-9]{6}$/.test(values.can)) throw new UsageError('--can must be 6 digits');
  const paceWanted = values.pace || values['pace-mapping'] !== undefined || values['pace-ka'] !== undefined || values['pace-cipher'] !== undefined || values['pace-param'] !== undefined;
  const mapping = one('--pace-mapping', values['pace-mapping'], ['gm', 'im', 'cam'] as const) ?? 'gm';
  const ka = one('--pace-ka', values['pace-ka'], ['ecdh', 'dh'] as const) ?? 'ecdh';
  const cipherArg = one('--pace-cipher', values['pace-cipher'], ['3des', 'aes128', 'aes192', 'aes256'] as const) ?? 'aes128';
  const cipher: Cipher = CIPHERS[cipherArg];
  const parameterId = int('--pace-param', values['pace-param'], 0, 31) ?? (ka === 'dh' ? 2 : 13);
  if (!paceWanted && values['no-bac']) throw new UsageError('--no-bac needs --pace (a chip must offer some access control)');
  if (!paceWanted && values.can !== undefined) throw new UsageError('--can needs --pace');
  const quirks: Partial<ChipQuirks> = {
    extendedLength: !values['short-only'],
    ...(values['max-response'] !== undefined ? { maxResponseBytes: int('--max-response', values['max-response'], 32, 65536)! } : {}),
    ...(values.latency !== undefined ? { apduLatencyMs: int('--latency', values.latency, 0, 10000)! } : {}),
    ...(values.bitrate !== undefined ? { bitRateKbps: int('--bitrate', values.bitrate, 0, 1_000_000)! } : {}),
    ...(values.eof !== undefined ? { endOfFile: one('--eof', values.eof, ['6282', '9000', '6B00'] as const)! } : {}),
  };
  const dg2Bytes = int('--dg2-bytes', values['dg2-bytes'], 1000, 4_000_000);
  return {
    outDir: positionals[0]!,
    mrz: values.mrz,
    photoPath: values.photo,
    ...(values.pki !== undefined ? { pkiDir: values.pki } : {}),
    ...(values.can !== undefined ? { can: values.can } : {}),
    bac: !values['no-bac'],
    ...(paceWanted ? { pace: { keyAgreement: (ka === 'ecdh' ? 'ECDH' : 'DH'), mapping: mapping.toUpperCase() as Mapping, cipher, parameterId } } : {}),
    ...(values.aa !== undefined ? { aa: one('--aa', values.aa, ['rsa', 'ecdsa'] as const)! } : {}),
    ...(values.ca !== undefined ? { ca: one('--ca', values.ca, ['ecdh', 'dh'] as const)! } : {}),
    ...(values['ca-cipher'] !== undefined ? { caCipher: CIPHERS[one('--ca-cipher', values['ca-cipher'], ['3des', 'aes128', 'aes192', 'aes256'] as const)!] } : {}),
    dg2Format: one('--dg2-format', values['dg2-format'], ['19794', '39794'] as const) === '39794' ? 'ISO39794-5' : 'ISO19794-5',
    ...(dg2Bytes !== undefined ? { dg2Bytes } : {}),
    hash: one('--hash', values.hash, HASH_NAMES) ?? ('sha256'),
    signer: one('--signer', values.signer, ['ecdsa', 'rsa', 'rsa-pss'] as const) ?? 'ecdsa',
    explicitParameters: values.explicit,
    quirks,
    extraStates: { UTO: 'UT' },
  };
}

export async function makePassport(p: ParsedMakePassport, deps: MakePassportDeps): Promise<MakePassportResult> {
  let photo: Buffer | undefined;
  if (p.photoPath !== undefined) {
    try {
      photo = await readFile(p.photoPath);
    } catch {
      throw new UsageError('cannot read --photo');
    }
  }
  const { photoPath: _unused, ...rest } = p;
  return generate({ ...rest, ...(photo ? { photo } : {}) }, deps);
}
