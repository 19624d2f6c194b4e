// PACE for `kioskctl conformance replay`: the PACEInfo from the scripted chip's EF.CardAccess,
// the password from the script's access block.
import { choosePaceInfo, performPace, type PaceResult } from '../mrtd/access/pace.js';
import type { Transceiver } from '../mrtd/apdu.js';
import type { RandomSource } from '../mrtd/card.js';
import { MrtdError } from '../mrtd/errors.js';
import { paceInfos, parseCardAccess, type PaceDomainParameterInfo } from '../mrtd/lds/security-infos.js';
import { accessMrzInformation } from '../mrtd/mrz.js';
import type { MrtdNative } from '../native/mrtd.js';

export async function runPaceForReplay(
  chip: Transceiver,
  access: { mrz?: string; can?: string },
  cardAccess: Buffer,
  ctx: { native: MrtdNative; random: RandomSource },
): Promise<PaceResult> {
  const infos = parseCardAccess(cardAccess);
  const domains = infos.filter((i): i is PaceDomainParameterInfo => i.type === 'PACEDomainParameterInfo');
  const info = choosePaceInfo(paceInfos(infos), domains);
  if (!info) throw new MrtdError('UNSUPPORTED', 'PACE', 'EF.CardAccess offers no PACE variant this engine runs');
  const password = access.can !== undefined ? { kind: 'CAN' as const, can: access.can } : { kind: 'MRZ' as const, mrzInformation: accessMrzInformation(access.mrz ?? '').text };
  return performPace(chip, password, info, ctx, { domainParameterInfos: domains });
}
