// The files of an eMRTD chip (ICAO 9303-10 §3.9 / §4.6 / §4.7, Table 4 "Data groups"): file
// identifiers, short EF identifiers, the tags files start with, where they live, and which
// need Terminal Authentication (EAC, BSI TR-03110-1) before a terminal may read them.
import type { Tag } from '../tlv.js';

export type DataGroupNumber = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11 | 12 | 13 | 14 | 15 | 16;
export type DataGroupName = `DG${DataGroupNumber}`;
export type LdsFileName = 'EF.COM' | 'EF.SOD' | DataGroupName | 'EF.CardAccess' | 'EF.CardSecurity' | 'EF.ATR/INFO' | 'EF.DIR';

export interface LdsFileInfo {
  readonly name: LdsFileName;
  /** File identifier for SELECT by FID. */
  readonly fid: number;
  /** Short EF identifier (READ BINARY with SFI). */
  readonly sfi: number;
  /** The outer tag of the file's content; undefined for EF.ATR/INFO (no single template). */
  readonly tag: Tag | undefined;
  /** 'MF': the master file, readable before access control; 'eMRTD': the LDS1 application. */
  readonly location: 'MF' | 'eMRTD';
  readonly dataGroup: DataGroupNumber | undefined;
  readonly content: string;
  /** ICAO 9303-10 Table 4: mandatory (M) for every eMRTD. EF.CardAccess is mandatory with PACE. */
  readonly mandatory: boolean;
  /** Fingerprints (DG3) and iris (DG4) are EAC-protected: Terminal Authentication first. */
  readonly requiresTerminalAuthentication: boolean;
}

/** AID of the LDS1 eMRTD application (ICAO 9303-10 §3.9.2). */
export const EMRTD_AID = Buffer.from('A0000002471001', 'hex');
/** AIDs of the LDS2 applications (ICAO 9303-10 §5, 8th edition): travel records, visa records, additional biometrics. */
export const LDS2_AIDS = {
  travelRecords: Buffer.from('A0000002472001', 'hex'),
  visaRecords: Buffer.from('A0000002472002', 'hex'),
  additionalBiometrics: Buffer.from('A0000002472003', 'hex'),
} as const;

/** DGn tag per ICAO 9303-10 Table 34 (tags 61 … 70; DG2 is 75 and DG4 76 because 62 and 64 were taken). */
const DG_TAGS: readonly Tag[] = [0x61, 0x75, 0x63, 0x76, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f, 0x70];

const DG_CONTENT: readonly string[] = [
  'MRZ',
  'encoded face (CBEFF, ISO/IEC 19794-5 or 39794-5)',
  'encoded fingers (EAC-protected)',
  'encoded irises (EAC-protected)',
  'displayed portrait',
  'reserved for future use',
  'displayed signature or usual mark',
  'data features',
  'structure features',
  'substance features',
  'additional personal details',
  'additional document details',
  'optional details',
  'security options (SecurityInfos for CA, PACE, AA, TA)',
  'Active Authentication public key info',
  'persons to notify',
];

function dataGroups(): LdsFileInfo[] {
  return DG_TAGS.map((tag, i) => {
    const n = (i + 1) as DataGroupNumber;
    return {
      name: `DG${n}`,
      fid: 0x0100 + n,
      sfi: n,
      tag,
      location: 'eMRTD',
      dataGroup: n,
      content: DG_CONTENT[i]!,
      mandatory: n === 1 || n === 2,
      requiresTerminalAuthentication: n === 3 || n === 4,
    };
  });
}

/** Every LDS1 file, in the order ICAO 9303-10 lists them. */
export const LDS_FILES: readonly LdsFileInfo[] = Object.freeze([
  // Master file (ICAO 9303-10 §3.11, §3.12; 9303-11 §9.2.1 for CardAccess/CardSecurity).
  { name: 'EF.ATR/INFO', fid: 0x2f01, sfi: 0x01, tag: undefined, location: 'MF', dataGroup: undefined, content: 'answer-to-reset information (extended length, buffer sizes)', mandatory: false, requiresTerminalAuthentication: false },
  { name: 'EF.DIR', fid: 0x2f00, sfi: 0x1e, tag: 0x61, location: 'MF', dataGroup: undefined, content: 'list of applications (LDS2)', mandatory: false, requiresTerminalAuthentication: false },
  { name: 'EF.CardAccess', fid: 0x011c, sfi: 0x1c, tag: 0x31, location: 'MF', dataGroup: undefined, content: 'SecurityInfos for PACE (and PACE-CAM)', mandatory: false, requiresTerminalAuthentication: false },
  { name: 'EF.CardSecurity', fid: 0x011d, sfi: 0x1d, tag: 0x30, location: 'MF', dataGroup: undefined, content: 'signed SecurityInfos (PACE-CAM, CA, TA)', mandatory: false, requiresTerminalAuthentication: false },
  // eMRTD application (ICAO 9303-10 §4.6).
  { name: 'EF.COM', fid: 0x011e, sfi: 0x1e, tag: 0x60, location: 'eMRTD', dataGroup: undefined, content: 'LDS version and list of data groups', mandatory: true, requiresTerminalAuthentication: false },
  { name: 'EF.SOD', fid: 0x011d, sfi: 0x1d, tag: 0x77, location: 'eMRTD', dataGroup: undefined, content: 'document security object (signed data-group hashes)', mandatory: true, requiresTerminalAuthentication: false },
  ...dataGroups(),
].map((f) => Object.freeze(f as LdsFileInfo)));

export function ldsFile(name: LdsFileName): LdsFileInfo {
  return LDS_FILES.find((f) => f.name === name)!;
}

/** The eMRTD-application file whose content starts with `tag` (EF.COM, EF.SOD, DG1–DG16). */
export const ldsFileByTag = (tag: Tag): LdsFileInfo | undefined => LDS_FILES.find((f) => f.location === 'eMRTD' && f.tag === tag);

export const ldsFileByFid = (fid: number, location: 'MF' | 'eMRTD'): LdsFileInfo | undefined =>
  LDS_FILES.find((f) => f.fid === fid && f.location === location);

export const dataGroupTag = (n: DataGroupNumber): Tag => DG_TAGS[n - 1]!;

export function isLdsFileName(name: string): name is LdsFileName {
  return LDS_FILES.some((f) => f.name === name);
}
