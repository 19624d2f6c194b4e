// The engine's own protocol implementations behind the inspection's InspectionProtocols port.
import { performBac } from '../access/bac.js';
import { choosePaceInfo, paceCamKey, performPace, verifyPaceCam } from '../access/pace.js';
import { performActiveAuthentication } from '../auth/aa.js';
import { performChipAuthentication } from '../auth/ca.js';
import { activeAuthenticationInfo, type PaceDomainParameterInfo, type SecurityInfo } from '../lds/security-infos.js';
import type { InspectionProtocols, PaceOutcome } from './protocols.js';

const domainInfos = (infos: readonly SecurityInfo[]): PaceDomainParameterInfo[] =>
  infos.filter((i): i is PaceDomainParameterInfo => i.type === 'PACEDomainParameterInfo');

export function defaultProtocols(): InspectionProtocols {
  return {
    choosePace: (infos) => choosePaceInfo(infos),
    async pace(card, password, info, cardAccess, ctx, options): Promise<PaceOutcome> {
      const r = await performPace(card, password, info, ctx, { ...options, domainParameterInfos: domainInfos(cardAccess) });
      const cam = r.cam;
      return {
        variant: r.variant,
        keys: r.keys,
        channel: r.channel,
        ...(cam
          ? {
              verifyCam: (cardSecurityInfos: readonly SecurityInfo[]) => {
                const key = paceCamKey(cardSecurityInfos, cam);
                if (!key) return { verified: false, detail: 'EF.CardSecurity holds no matching chip key' };
                const verified = verifyPaceCam(cam, key, ctx.native);
                return verified ? { verified } : { verified, detail: 'CA_IC · PK_IC differs from the mapping key' };
              },
            }
          : {}),
      };
    },
    bac: (card, mrzInformation, ctx, options) => performBac(card, mrzInformation, ctx, options),
    async chipAuthentication(raw, channel, dg14, ctx, options) {
      const r = await performChipAuthentication(raw, channel, dg14, ctx, options);
      return { channel: r.channel, keys: r.keys, description: `${r.keyAgreement} ${r.cipher} (${r.command}${r.keyId === undefined ? '' : `, key ${r.keyId}`})` };
    },
    async activeAuthentication(channel, dg15, dg14, ctx, options) {
      const r = await performActiveAuthentication(channel, dg15, dg14 ? activeAuthenticationInfo(dg14) : undefined, ctx, options);
      return { verified: r.verified, algorithm: r.algorithm, ...(r.failure ? { detail: r.failure } : {}) };
    },
  };
}
