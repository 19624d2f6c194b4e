// File identifiers and short EF identifiers of the LDS (ICAO 9303-10 §4.6, Table 39/40),
// as the scripted chip needs them. (The LDS module holds the full file table.)
export const LDS_FILE_IDS: Readonly<Record<string, { fid: number; sfi: number }>> = {
  'EF.CardAccess': { fid: 0x011c, sfi: 0x1c },
  'EF.CardSecurity': { fid: 0x011d, sfi: 0x1d },
  'EF.ATR': { fid: 0x2f01, sfi: 0x01 },
  'EF.COM': { fid: 0x011e, sfi: 0x1e },
  'EF.SOD': { fid: 0x011d, sfi: 0x1d },
  DG1: { fid: 0x0101, sfi: 0x01 },
  DG2: { fid: 0x0102, sfi: 0x02 },
  DG14: { fid: 0x010e, sfi: 0x0e },
  DG15: { fid: 0x010f, sfi: 0x0f },
};
