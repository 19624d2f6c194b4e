// Reading what the inspection needs out of files without letting a malformed file end the
// inspection: failures are noted in the report's error list and the value is left out, so the
// checks that depend on it report "fail" or "not-performed" instead.
import { errorSummary } from '../../errors.js';
import { parseDg14, parseSecurityInfos, type SecurityInfo } from '../lds/security-infos.js';
import { parseLdsSecurityObject } from '../lds/sod-content.js';
import { decodeEfSod, decodeSignedData } from '../pki/cms.js';

export function parseSecurityInfosSafe(bytes: Buffer, what: string, errors: string[]): SecurityInfo[] {
  try {
    return parseSecurityInfos(bytes, what);
  } catch (e) {
    errors.push(`${what}: ${errorSummary(e)}`);
    return [];
  }
}

export function parseDg14Infos(bytes: Buffer, errors: string[]): SecurityInfo[] | undefined {
  try {
    return [...parseDg14(bytes).securityInfos];
  } catch (e) {
    errors.push(`DG14: ${errorSummary(e)}`);
    return undefined;
  }
}

/** The SecurityInfos signed inside EF.CardSecurity (a bare ContentInfo, 9303-11 §9.2.2). */
export function parseCardSecurityContent(bytes: Buffer, errors: string[]): SecurityInfo[] | undefined {
  try {
    const sd = decodeSignedData(bytes, 'EF.CardSecurity');
    if (!sd.eContent) throw new Error('no encapsulated content');
    return parseSecurityInfos(sd.eContent, 'EF.CardSecurity content');
  } catch (e) {
    errors.push(`EF.CardSecurity: ${errorSummary(e)}`);
    return undefined;
  }
}

/** The data-group numbers EF.SOD lists; empty (with an error noted) when it does not parse. */
export function sodDataGroups(sod: Buffer, errors: string[]): number[] {
  try {
    const sd = decodeEfSod(sod);
    if (!sd.eContent) return [];
    return parseLdsSecurityObject(sd.eContent).dataGroupHashes.map((d) => d.dataGroup);
  } catch (e) {
    errors.push(`EF.SOD: ${errorSummary(e)}`);
    return [];
  }
}
