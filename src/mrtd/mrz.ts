// Machine readable zone (ICAO Doc 9303 Parts 3–7): parsing of TD1 (3×30), TD2 (2×36) and
// TD3 (2×44) documents and of MRV-A / MRV-B visas, check digits, the "MRZ information" that
// BAC and PACE derive their access keys from, and encoders that compute the check digits
// (used by the passport generator).
//
// Everything here is pure. MRZ values are personal data: no error message carries any of
// them, only the name of the field or line that was wrong.
import { InvalidArgumentError, ParseError } from '../errors.js';

/** Physical layout of the MRZ (ICAO 9303-3 §4.2). */
export type MrzFormat = 'TD1' | 'TD2' | 'TD3';
/** Layout plus document family: visas use their own line-2 layout (ICAO 9303-7 §4.2). */
export type MrzKind = 'TD1' | 'TD2' | 'TD3' | 'MRV-A' | 'MRV-B';
/** Sex as written in the MRZ: '<' means unspecified (ICAO 9303-4 §4.2.2). 'X' is accepted too. */
export type Sex = 'M' | 'F' | 'X' | '<';

export type CheckedField = 'documentNumber' | 'dateOfBirth' | 'dateOfExpiry' | 'optionalData' | 'composite';

/** The result of one check digit: what it should be and what the document printed. */
export interface CheckDigitResult {
  readonly field: CheckedField;
  /** The digit computed from the field ('0'–'9'). */
  readonly expected: string;
  /** The character found in the check-digit position. */
  readonly found: string;
  readonly ok: boolean;
}

export interface Mrz {
  readonly format: MrzFormat;
  readonly kind: MrzKind;
  /** Document code with fillers removed: 'P', 'PP', 'I', 'ID', 'V', 'AC', ... */
  readonly documentCode: string;
  /** Issuing state or organization, fillers removed ('UTO', 'D'). */
  readonly issuer: string;
  /** The full document number (long numbers included), fillers removed. */
  readonly documentNumber: string;
  /** YYMMDD; unknown parts stay '<' as printed. */
  readonly dateOfBirth: string;
  readonly sex: Sex;
  /** YYMMDD. */
  readonly dateOfExpiry: string;
  readonly nationality: string;
  /** Surname(s): the primary identifier, components separated by single spaces. */
  readonly primaryIdentifier: string;
  /** Given name(s): the secondary identifier, components separated by single spaces. */
  readonly secondaryIdentifier: string;
  /** True when the name field is used to its last position, so the name may be truncated. */
  readonly nameTruncated: boolean;
  /**
   * Optional data with trailing fillers removed: TD3 personal number (line 2, 29–42), TD2
   * (29–35), TD1 upper line (16–30; after a long document number, what follows it), visas.
   */
  readonly optionalData: string;
  /** TD1 only: the optional data of the middle line (19–29), trailing fillers removed. */
  readonly optionalData2?: string;
  readonly checks: readonly CheckDigitResult[];
  /** True when every check digit is right. */
  readonly valid: boolean;
  /** The MRZ lines joined with '\n'. */
  readonly text: string;
  readonly lines: readonly string[];
}

const MRZ_CHARS = /^[A-Z0-9<]*$/;

/** Value of one MRZ character for the check digit (ICAO 9303-3 §4.9): 0–9, A=10 … Z=35, '<'=0. */
function charValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x5a) return c - 0x41 + 10;
  if (c === 0x3c) return 0;
  return -1;
}

/**
 * The check digit of an MRZ field (ICAO 9303-3 §4.9: weights 7, 3, 1 repeating, sum modulo
 * 10). Throws InvalidArgumentError for a character outside A–Z, 0–9 and '<'.
 */
export function checkDigit(field: string): string {
  const weights = [7, 3, 1] as const;
  let sum = 0;
  for (let i = 0; i < field.length; i++) {
    const v = charValue(field.charCodeAt(i));
    if (v < 0) throw new InvalidArgumentError('MRZ field', 'characters A-Z, 0-9 and <', field);
    sum += v * weights[i % 3]!;
  }
  return String(sum % 10);
}

function check(field: CheckedField, data: string, found: string, fillerAllowed = false): CheckDigitResult {
  const expected = checkDigit(data);
  // ICAO 9303-4 §4.2.2 note j: an all-filler personal number may carry '<' as its check digit.
  const ok = found === expected || (fillerAllowed && found === '<' && /^<*$/.test(data));
  return { field, expected, found, ok };
}

const stripFillers = (s: string): string => s.replace(/<+$/, '');

/** "ERIKSSON<<ANNA<MARIA<<<" → primary "ERIKSSON", secondary "ANNA MARIA" (ICAO 9303-3 §4.6). */
function parseName(field: string): { primary: string; secondary: string; truncated: boolean } {
  const words = (s: string): string => s.split('<').filter((w) => w.length > 0).join(' ');
  const cut = field.indexOf('<<');
  const primary = cut < 0 ? field : field.slice(0, cut);
  const secondary = cut < 0 ? '' : field.slice(cut + 2);
  return { primary: words(primary), secondary: words(secondary), truncated: !field.endsWith('<') };
}

function parseSex(c: string, line: number): Sex {
  if (c === 'M' || c === 'F' || c === 'X' || c === '<') return c;
  throw new ParseError('MRZ', `sex field of line ${line} is not M, F, X or <`);
}

/**
 * Long document numbers (ICAO 9303-5 §4.2.2 note, 9303-6): when the number field is full and
 * its check-digit position holds '<', the number continues in the optional data field, ends
 * with its check digit, and a '<' closes it. Returns the overflow, the check digit and what
 * remains of the optional field, or undefined when the rule does not apply.
 */
function longNumber(cdChar: string, optional: string): { overflow: string; cd: string; rest: string } | undefined {
  if (cdChar !== '<') return undefined;
  const end = optional.indexOf('<');
  const run = end < 0 ? optional : optional.slice(0, end);
  if (run.length < 2) return undefined;
  return { overflow: run.slice(0, -1), cd: run.slice(-1), rest: end < 0 ? '' : optional.slice(end + 1) };
}

function splitLines(text: string): string[] {
  if (text.length > 200) throw new ParseError('MRZ', 'text longer than any MRZ');
  const lines = text.trim().split(/\r?\n/).map((l) => l.trim());
  lines.forEach((l, i) => {
    if (!MRZ_CHARS.test(l)) {
      const at = l.search(/[^A-Z0-9<]/);
      throw new ParseError('MRZ', `invalid character in line ${i + 1} position ${at + 1}`);
    }
  });
  return lines;
}

/**
 * Parses a full MRZ: 2 or 3 lines separated by '\n' ('\r\n' and surrounding whitespace are
 * tolerated). Only A–Z, 0–9 and '<' are accepted (no case folding). Wrong line counts or
 * lengths and invalid characters throw ParseError; wrong check digits do not — they show in
 * `checks` and `valid`.
 */
export function parseMrz(text: string): Mrz {
  const lines = splitLines(text);
  const lengths = lines.map((l) => l.length).join(',');
  if (lengths === '30,30,30') return parseTd1(lines);
  if (lengths === '36,36') return parseTwoLine(lines, 'TD2');
  if (lengths === '44,44') return parseTwoLine(lines, 'TD3');
  throw new ParseError('MRZ', `${lines.length} line(s) of lengths ${lengths} match no TD1, TD2 or TD3 layout`);
}

/** Parses the MRZ as stored in DG1: the lines concatenated without separators (90, 72 or 88 chars). */
export function parseMrzConcatenated(raw: string): Mrz {
  const width = raw.length === 90 ? 30 : raw.length === 72 ? 36 : raw.length === 88 ? 44 : 0;
  if (width === 0) throw new ParseError('MRZ', `${raw.length} characters match no TD1, TD2 or TD3 layout`);
  const lines: string[] = [];
  for (let i = 0; i < raw.length; i += width) lines.push(raw.slice(i, i + width));
  return parseMrz(lines.join('\n'));
}

function finish(base: Omit<Mrz, 'valid' | 'text' | 'lines'>, lines: string[]): Mrz {
  return { ...base, valid: base.checks.every((c) => c.ok), text: lines.join('\n'), lines };
}

function parseTd1(lines: string[]): Mrz {
  const [l1, l2, l3] = lines as [string, string, string];
  const numberField = l1.slice(5, 14);
  const opt1 = l1.slice(15, 30);
  const long = /^[A-Z0-9]{9}$/.test(numberField) ? longNumber(l1[14]!, opt1) : undefined;
  const documentNumber = long ? numberField + long.overflow : stripFillers(numberField);
  const checks: CheckDigitResult[] = [
    long ? check('documentNumber', documentNumber, long.cd) : check('documentNumber', numberField, l1[14]!),
    check('dateOfBirth', l2.slice(0, 6), l2[6]!),
    check('dateOfExpiry', l2.slice(8, 14), l2[14]!),
    // ICAO 9303-5 §4.2.2: composite over upper line 6–30, middle line 1–7, 9–15 and 19–29.
    check('composite', l1.slice(5, 30) + l2.slice(0, 7) + l2.slice(8, 15) + l2.slice(18, 29), l2[29]!),
  ];
  const name = parseName(l3);
  return finish(
    {
      format: 'TD1',
      kind: 'TD1',
      documentCode: stripFillers(l1.slice(0, 2)),
      issuer: stripFillers(l1.slice(2, 5)),
      documentNumber,
      dateOfBirth: l2.slice(0, 6),
      sex: parseSex(l2[7]!, 2),
      dateOfExpiry: l2.slice(8, 14),
      nationality: stripFillers(l2.slice(15, 18)),
      primaryIdentifier: name.primary,
      secondaryIdentifier: name.secondary,
      nameTruncated: name.truncated,
      optionalData: stripFillers(long ? long.rest : opt1),
      optionalData2: stripFillers(l2.slice(18, 29)),
      checks,
    },
    lines,
  );
}

/** TD2 / MRV-B (36) and TD3 / MRV-A (44): the same line-2 start, different tails. */
function parseTwoLine(lines: string[], format: 'TD2' | 'TD3'): Mrz {
  const [l1, l2] = lines as [string, string];
  const width = l1.length;
  const visa = l1[0] === 'V';
  const numberField = l2.slice(0, 9);
  // Optional data: TD3 29–42 (+ check digit 43), TD2 29–35, MRV-A 29–44, MRV-B 29–36.
  const optEnd = visa ? width : format === 'TD3' ? 42 : 35;
  const optional = l2.slice(28, optEnd);
  const long = format === 'TD2' && !visa && /^[A-Z0-9]{9}$/.test(numberField) ? longNumber(l2[9]!, optional) : undefined;
  const documentNumber = long ? numberField + long.overflow : stripFillers(numberField);
  const checks: CheckDigitResult[] = [
    long ? check('documentNumber', documentNumber, long.cd) : check('documentNumber', numberField, l2[9]!),
    check('dateOfBirth', l2.slice(13, 19), l2[19]!),
    check('dateOfExpiry', l2.slice(21, 27), l2[27]!),
  ];
  if (!visa) {
    if (format === 'TD3') checks.push(check('optionalData', optional, l2[42]!, true));
    // ICAO 9303-4 §4.2.2 / 9303-6 §4.2.2: composite over 1–10, 14–20 and 22–43 (TD3) or 22–35 (TD2).
    const compositeEnd = width - 1;
    checks.push(check('composite', l2.slice(0, 10) + l2.slice(13, 20) + l2.slice(21, compositeEnd), l2[compositeEnd]!));
  }
  const name = parseName(l1.slice(5));
  return finish(
    {
      format,
      kind: visa ? (format === 'TD3' ? 'MRV-A' : 'MRV-B') : format,
      documentCode: stripFillers(l1.slice(0, 2)),
      issuer: stripFillers(l1.slice(2, 5)),
      documentNumber,
      dateOfBirth: l2.slice(13, 19),
      sex: parseSex(l2[20]!, 2),
      dateOfExpiry: l2.slice(21, 27),
      nationality: stripFillers(l2.slice(10, 13)),
      primaryIdentifier: name.primary,
      secondaryIdentifier: name.secondary,
      nameTruncated: name.truncated,
      optionalData: stripFillers(long ? long.rest : optional),
      checks,
    },
    lines,
  );
}

// ---- MRZ information (access keys) ----

/** The three fields BAC and PACE derive their keys from (ICAO 9303-11 §4.3.2 / §9.7.3). */
export interface MrzInformation {
  /** Document number without trailing fillers (long numbers in full). */
  readonly documentNumber: string;
  readonly dateOfBirth: string;
  readonly dateOfExpiry: string;
  /** The check digits as found; all three are recomputed in `checks`. */
  readonly checks: readonly CheckDigitResult[];
  readonly valid: boolean;
  /** The key-derivation input: number (padded to 9 with '<') + cd + birth + cd + expiry + cd. */
  readonly text: string;
}

function requireMrzField(name: string, value: string, pattern: RegExp, expected: string): void {
  if (!pattern.test(value)) throw new InvalidArgumentError(name, expected, value);
}

/**
 * MRZ_information = document number || cd || date of birth || cd || date of expiry || cd
 * (ICAO 9303-11 §4.3.2). A number shorter than 9 characters is padded with '<' (the filler is
 * part of what is hashed); a longer one is used in full with its own check digit, as the
 * long-number rule of Parts 5 and 6 defines it.
 */
export function mrzInformation(documentNumber: string, dateOfBirth: string, dateOfExpiry: string): string {
  requireMrzField('documentNumber', documentNumber, /^[A-Z0-9<]{1,22}$/, '1 to 22 MRZ characters');
  requireMrzField('dateOfBirth', dateOfBirth, /^[0-9<]{6}$/, 'YYMMDD');
  requireMrzField('dateOfExpiry', dateOfExpiry, /^[0-9<]{6}$/, 'YYMMDD');
  const doc = documentNumber.length < 9 ? documentNumber.padEnd(9, '<') : documentNumber;
  return doc + checkDigit(doc) + dateOfBirth + checkDigit(dateOfBirth) + dateOfExpiry + checkDigit(dateOfExpiry);
}

/** The MRZ information of a parsed MRZ. */
export const mrzInformationOf = (mrz: Pick<Mrz, 'documentNumber' | 'dateOfBirth' | 'dateOfExpiry'>): string =>
  mrzInformation(mrz.documentNumber, mrz.dateOfBirth, mrz.dateOfExpiry);

/**
 * Parses the MRZ-information form that `--mrz` accepts: document number (9 characters, or
 * more for a long number) + cd, birth date + cd, expiry date + cd — 24 characters or more,
 * e.g. `L898902C<369080619406236`. Wrong characters or lengths throw ParseError; the check
 * digits are verified and reported in `checks` / `valid`.
 */
export function parseMrzInformation(s: string): MrzInformation {
  const text = s.trim();
  if (text.length < 24 || text.length > 37) throw new ParseError('MRZ information', `length ${text.length}, expected 24 to 37 characters`);
  if (!MRZ_CHARS.test(text)) throw new ParseError('MRZ information', 'invalid character (only A-Z, 0-9 and < are allowed)');
  const n = text.length;
  const numberField = text.slice(0, n - 15);
  const dob = text.slice(n - 14, n - 8);
  const doe = text.slice(n - 7, n - 1);
  if (!/^[0-9<]{6}$/.test(dob) || !/^[0-9<]{6}$/.test(doe)) throw new ParseError('MRZ information', 'date fields are not YYMMDD');
  const checks = [
    check('documentNumber', numberField, text[n - 15]!),
    check('dateOfBirth', dob, text[n - 8]!),
    check('dateOfExpiry', doe, text[n - 1]!),
  ];
  const documentNumber = stripFillers(numberField);
  if (documentNumber.length === 0) throw new ParseError('MRZ information', 'empty document number');
  return { documentNumber, dateOfBirth: dob, dateOfExpiry: doe, checks, valid: checks.every((c) => c.ok), text };
}

/**
 * What `--mrz` accepts: a full MRZ (2 or 3 lines) or the MRZ-information string. Returns the
 * MRZ information either way (from a full MRZ, with all its check digits in `checks`).
 */
export function accessMrzInformation(input: string): MrzInformation {
  if (!/\n/.test(input.trim())) return parseMrzInformation(input);
  const mrz = parseMrz(input);
  return {
    documentNumber: mrz.documentNumber,
    dateOfBirth: mrz.dateOfBirth,
    dateOfExpiry: mrz.dateOfExpiry,
    checks: mrz.checks,
    valid: mrz.valid,
    text: mrzInformationOf(mrz),
  };
}

// ---- encoders ----

/** The fields an MRZ is made from; check digits are computed. */
export interface MrzFields {
  /** 1 or 2 characters: 'P', 'PP', 'I', 'ID', 'A', 'C', 'V' (a 'V' gives the visa layouts). */
  readonly documentCode: string;
  /** 1 to 3 characters: 'UTO', 'D'. */
  readonly issuer: string;
  /** Up to 9 characters (TD3, visas); TD1 and TD2 accept longer numbers (long-number rule). */
  readonly documentNumber: string;
  readonly dateOfBirth: string;
  readonly sex: Sex;
  readonly dateOfExpiry: string;
  readonly nationality: string;
  /** Surname(s); spaces and hyphens become '<'. */
  readonly primaryIdentifier: string;
  /** Given name(s); spaces and hyphens become '<'. Empty when the holder has none. */
  readonly secondaryIdentifier: string;
  readonly optionalData?: string;
  /** TD1 middle-line optional data. */
  readonly optionalData2?: string;
}

function field(name: string, value: string, width: number): string {
  if (!MRZ_CHARS.test(value) || value.length > width) {
    throw new InvalidArgumentError(name, `at most ${width} MRZ characters (A-Z, 0-9, <)`, value);
  }
  return value.padEnd(width, '<');
}

function dateField(name: string, value: string): string {
  requireMrzField(name, value, /^[0-9<]{6}$/, 'YYMMDD');
  return value;
}

function sexField(value: Sex): string {
  if (!['M', 'F', 'X', '<'].includes(value)) throw new InvalidArgumentError('sex', "'M', 'F', 'X' or '<'", value);
  return value;
}

const nameWords = (name: string, s: string): string[] => {
  const t = s.trim().replace(/[\s-]+/g, '<');
  if (!/^[A-Z<]*$/.test(t)) throw new InvalidArgumentError(name, 'letters A-Z, spaces and hyphens (transliterate first)', s);
  return t.split('<').filter((w) => w.length > 0);
};

/**
 * The name field: PRIMARY<<SECONDARY padded with '<'. Too long a name is truncated as ICAO
 * 9303-3 §4.6 allows: secondary identifiers first (down to one character per name), then the
 * primary identifier's last characters; the result always fills the field.
 */
export function formatName(primary: string, secondary: string, width: number): string {
  const p = nameWords('primaryIdentifier', primary);
  const s = nameWords('secondaryIdentifier', secondary);
  if (p.length === 0) throw new InvalidArgumentError('primaryIdentifier', 'a non-empty name', primary);
  const join = (pw: string[], sw: string[]): string => pw.join('<') + (sw.length ? '<<' + sw.join('<') : '');
  const sec = [...s];
  // Shorten the secondary identifiers from the last one backwards, keeping initials.
  for (let i = sec.length - 1; i >= 0 && join(p, sec).length > width; i--) {
    const excess = join(p, sec).length - width;
    const w = sec[i]!;
    sec[i] = w.slice(0, Math.max(1, w.length - excess));
  }
  let out = join(p, sec);
  if (out.length > width) out = out.slice(0, width);
  return out.padEnd(width, '<');
}

function docCode(code: string): string {
  requireMrzField('documentCode', code, /^[A-Z][A-Z<]?$/, '1 or 2 letters');
  return code.padEnd(2, '<');
}

/** Document number field + cd for TD1/TD2, spilling a long number into the optional field. */
function numberAndOptional(f: MrzFields, optWidth: number): { number: string; cd: string; optional: string } {
  const doc = f.documentNumber;
  requireMrzField('documentNumber', doc, /^[A-Z0-9<]{1,22}$/, '1 to 22 MRZ characters');
  const opt = f.optionalData ?? '';
  if (doc.length <= 9) {
    const number = field('documentNumber', doc, 9);
    return { number, cd: checkDigit(number), optional: field('optionalData', opt, optWidth) };
  }
  // ICAO 9303-5/-6: first 9 characters, '<', then overflow + check digit + '<' in the optional field.
  const spill = doc.slice(9) + checkDigit(doc);
  const rest = opt.length ? '<' + opt : '';
  return { number: doc.slice(0, 9), cd: '<', optional: field('optionalData (with long document number)', spill + rest, optWidth) };
}

/** TD3 passport MRZ (ICAO 9303-4), or MRV-A when the document code starts with 'V' (9303-7). */
export function formatTd3(f: MrzFields): string {
  const code = docCode(f.documentCode);
  const visa = code.startsWith('V');
  const l1 = code + field('issuer', f.issuer, 3) + formatName(f.primaryIdentifier, f.secondaryIdentifier, 39);
  const number = field('documentNumber', f.documentNumber, 9);
  const head =
    number + checkDigit(number) + field('nationality', f.nationality, 3) +
    dateField('dateOfBirth', f.dateOfBirth) + checkDigit(f.dateOfBirth) + sexField(f.sex) +
    dateField('dateOfExpiry', f.dateOfExpiry) + checkDigit(f.dateOfExpiry);
  if (visa) return l1 + '\n' + head + field('optionalData', f.optionalData ?? '', 16);
  const opt = field('optionalData', f.optionalData ?? '', 14);
  // An all-filler personal number gets '<' as its check digit (ICAO 9303-4 §4.2.2 note j).
  const optCd = /^<+$/.test(opt) ? '<' : checkDigit(opt);
  const body = head + opt + optCd;
  return l1 + '\n' + body + checkDigit(body.slice(0, 10) + body.slice(13, 20) + body.slice(21, 43));
}

/** TD2 MRZ (ICAO 9303-6), or MRV-B when the document code starts with 'V' (9303-7). */
export function formatTd2(f: MrzFields): string {
  const code = docCode(f.documentCode);
  const visa = code.startsWith('V');
  const l1 = code + field('issuer', f.issuer, 3) + formatName(f.primaryIdentifier, f.secondaryIdentifier, 31);
  const n = visa
    ? { number: field('documentNumber', f.documentNumber, 9), cd: '', optional: field('optionalData', f.optionalData ?? '', 8) }
    : numberAndOptional(f, 7);
  const cd = visa ? checkDigit(n.number) : n.cd;
  const body =
    n.number + cd + field('nationality', f.nationality, 3) +
    dateField('dateOfBirth', f.dateOfBirth) + checkDigit(f.dateOfBirth) + sexField(f.sex) +
    dateField('dateOfExpiry', f.dateOfExpiry) + checkDigit(f.dateOfExpiry) + n.optional;
  if (visa) return l1 + '\n' + body;
  return l1 + '\n' + body + checkDigit(body.slice(0, 10) + body.slice(13, 20) + body.slice(21, 35));
}

/** TD1 MRZ (ICAO 9303-5): three lines of 30. */
export function formatTd1(f: MrzFields): string {
  const n = numberAndOptional(f, 15);
  const l1 = docCode(f.documentCode) + field('issuer', f.issuer, 3) + n.number + n.cd + n.optional;
  const head =
    dateField('dateOfBirth', f.dateOfBirth) + checkDigit(f.dateOfBirth) + sexField(f.sex) +
    dateField('dateOfExpiry', f.dateOfExpiry) + checkDigit(f.dateOfExpiry) +
    field('nationality', f.nationality, 3) + field('optionalData2', f.optionalData2 ?? '', 11);
  const l2 = head + checkDigit(l1.slice(5, 30) + head.slice(0, 7) + head.slice(8, 15) + head.slice(18, 29));
  return l1 + '\n' + l2 + '\n' + formatName(f.primaryIdentifier, f.secondaryIdentifier, 30);
}
