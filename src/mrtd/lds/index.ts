// The LDS file parsers behind one entry point: `parseLdsFile(name, bytes)` returns a
// discriminated union on the file name. Files whose content belongs to other layers — the
// CMS of EF.SOD and EF.CardSecurity, the CBEFF finger and iris records of DG3/DG4, the
// optional DG8–DG10 — are checked for their outer tag and returned as bytes.
import { ParseError } from '../../errors.js';
import { tagHex } from '../tlv.js';
import { asBuffer, openFile } from './common.js';
import { parseEfCom, type EfCom } from './com.js';
import { parseDg1, type Dg1 } from './dg1.js';
import { parseDg2, type Dg2 } from './dg2.js';
import { parseDisplayedImages, type DisplayedImages } from './dg-images.js';
import { parseDg11, type Dg11 } from './dg11.js';
import { parseDg12, type Dg12 } from './dg12.js';
import { parseDg13, type Dg13 } from './dg13.js';
import { parseDg15, type Dg15 } from './dg15.js';
import { parseDg16, type Dg16 } from './dg16.js';
import { ldsFile, type LdsFileName } from './files.js';
import { parseCardAccess, parseDg14, type Dg14, type SecurityInfo } from './security-infos.js';

/** A file whose content another layer parses: its bytes, outer tag verified. */
export interface OpaqueFile {
  readonly bytes: Buffer;
}

export type LdsFile =
  | { readonly name: 'EF.COM'; readonly value: EfCom }
  | { readonly name: 'DG1'; readonly value: Dg1 }
  | { readonly name: 'DG2'; readonly value: Dg2 }
  | { readonly name: 'DG5' | 'DG6' | 'DG7'; readonly value: DisplayedImages }
  | { readonly name: 'DG11'; readonly value: Dg11 }
  | { readonly name: 'DG12'; readonly value: Dg12 }
  | { readonly name: 'DG13'; readonly value: Dg13 }
  | { readonly name: 'DG14'; readonly value: Dg14 }
  | { readonly name: 'DG15'; readonly value: Dg15 }
  | { readonly name: 'DG16'; readonly value: Dg16 }
  | { readonly name: 'EF.CardAccess'; readonly value: readonly SecurityInfo[] }
  | { readonly name: 'EF.SOD' | 'EF.CardSecurity' | 'EF.ATR/INFO' | 'EF.DIR' | 'DG3' | 'DG4' | 'DG8' | 'DG9' | 'DG10'; readonly value: OpaqueFile };

/** Parses one LDS file by name; ParseError for anything malformed. */
export function parseLdsFile(name: LdsFileName, bytes: Uint8Array): LdsFile {
  switch (name) {
    case 'EF.COM':
      return { name, value: parseEfCom(bytes) };
    case 'DG1':
      return { name, value: parseDg1(bytes) };
    case 'DG2':
      return { name, value: parseDg2(bytes) };
    case 'DG5':
    case 'DG6':
    case 'DG7':
      return { name, value: parseDisplayedImages(name, bytes) };
    case 'DG11':
      return { name, value: parseDg11(bytes) };
    case 'DG12':
      return { name, value: parseDg12(bytes) };
    case 'DG13':
      return { name, value: parseDg13(bytes) };
    case 'DG14':
      return { name, value: parseDg14(bytes) };
    case 'DG15':
      return { name, value: parseDg15(bytes) };
    case 'DG16':
      return { name, value: parseDg16(bytes) };
    case 'EF.CardAccess':
      return { name, value: parseCardAccess(bytes) };
    case 'EF.ATR/INFO':
      return { name, value: { bytes: asBuffer(bytes) } };
    case 'EF.DIR': {
      // EF.DIR is a sequence of application templates (61), not one element.
      const b = asBuffer(bytes);
      if (b.length > 0 && b[0] !== 0x61) throw new ParseError(name, `expected application template 61, found ${tagHex(b[0]!)}`, 0);
      return { name, value: { bytes: b } };
    }
    case 'EF.SOD':
    case 'EF.CardSecurity':
    case 'DG3':
    case 'DG4':
    case 'DG8':
    case 'DG9':
    case 'DG10':
      return { name, value: { bytes: openFile(bytes, ldsFile(name).tag!, name).raw } };
  }
}

export * from './files.js';
export * from './oids.js';
export * from './com.js';
export * from './dg1.js';
export * from './dg2.js';
export * from './cbeff.js';
export * from './iso19794-5.js';
export * from './iso39794-5.js';
export * from './image-format.js';
export * from './dg-images.js';
export * from './dg11.js';
export * from './dg12.js';
export * from './dg13.js';
export * from './dg15.js';
export * from './dg16.js';
export * from './spki.js';
export * from './security-infos.js';
export * from './sod-content.js';
export { asBuffer, declaredFileLength } from './common.js';
