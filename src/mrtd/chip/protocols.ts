// The virtual chip's protocols beyond BAC, composed from a virtual passport folder
// (CONFORMANCE.md §1) into the ChipProtocolHandlers that ./virtual-chip.ts dispatches to:
// PACE when EF.CardAccess offers it, Chip Authentication with DG14's keys and chip.json's
// private halves, Active Authentication with chip.json's key and DG14's
// ActiveAuthenticationInfo. A file that does not parse simply does not offer its protocol
// (folders may hold deliberately broken files); a key in chip.json that does not parse is a
// configuration error.
import { ParseError } from '../../errors.js';
import type { MrtdNative } from '../../native/mrtd.js';
import { StatusWord, type CommandApdu } from '../apdu.js';
import type { RandomSource } from '../card.js';
import { activeAuthenticationInfo, parseCardAccess, parseDg14, type SecurityInfo } from '../lds/security-infos.js';
import { accessMrzInformation } from '../mrz.js';
import { aaSignatureHash } from '../auth/aa.js';
import { AaChip } from './aa.js';
import { CaChip } from './ca.js';
import type { VirtualPassport } from './folder.js';
import { PaceChip } from './pace.js';
import { parsePrivateKey } from './private-keys.js';
import type { ChipProtocolHandlers, HandlerResult } from './virtual-chip.js';

const status = (sw: number): HandlerResult => ({ response: { data: Buffer.alloc(0), sw } });

function tryParse<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch (e) {
    if (e instanceof ParseError) return undefined;
    throw e;
  }
}

export interface ChipProtocols extends ChipProtocolHandlers {
  readonly pace: PaceChip | undefined;
  readonly ca: CaChip | undefined;
  readonly aa: AaChip | undefined;
}

/** Builds the PACE, CA and AA handlers a passport folder offers. */
export function createChipProtocols(passport: VirtualPassport, deps: { native: MrtdNative; random: RandomSource }): ChipProtocols {
  const cfg = passport.config;
  const cardAccess = passport.files.get('EF.CardAccess');
  const dg14Bytes = passport.files.get('DG14');
  const cardAccessInfos = cardAccess ? tryParse(() => parseCardAccess(cardAccess)) : undefined;
  const dg14: readonly SecurityInfo[] | undefined = dg14Bytes ? tryParse(() => parseDg14(dg14Bytes).securityInfos) : undefined;

  const pace = cardAccessInfos
    ? new PaceChip(
        {
          securityInfos: cardAccessInfos,
          mrzInformation: accessMrzInformation(cfg.mrz).text,
          ...(cfg.can === undefined ? {} : { can: cfg.can }),
          ...(cfg.paceCamPrivateKeyPem === undefined ? {} : { camKey: parsePrivateKey(cfg.paceCamPrivateKeyPem, deps.native) }),
        },
        deps,
      )
    : undefined;
  const ca =
    cfg.chipAuthentication.length > 0
      ? new CaChip(
          {
            securityInfos: dg14 ?? [],
            keys: cfg.chipAuthentication.map((k) => ({ ...(k.keyId === undefined ? {} : { keyId: k.keyId }), key: parsePrivateKey(k.privateKeyPem, deps.native) })),
          },
          deps,
        )
      : undefined;
  const aaInfo = dg14 ? activeAuthenticationInfo(dg14) : undefined;
  // An ActiveAuthenticationInfo naming an algorithm nobody knows is a broken file like any other:
  // the chip signs with its default, and the terminal finds the mismatch.
  const aaAlgorithm = aaInfo && aaSignatureHash(aaInfo.signatureAlgorithm) ? aaInfo.signatureAlgorithm : undefined;
  const aa = cfg.activeAuthentication
    ? new AaChip({ key: parsePrivateKey(cfg.activeAuthentication.privateKeyPem, deps.native), ...(aaAlgorithm ? { signatureAlgorithm: aaAlgorithm } : {}) }, deps)
    : undefined;

  return {
    pace,
    ca,
    aa,
    mse(c: CommandApdu, secured: boolean): HandlerResult {
      const p1p2 = (c.p1 << 8) | c.p2;
      // PACE runs unprotected (§4.4); Chip Authentication only inside secure messaging (§6.2).
      if (p1p2 === 0xc1a4) {
        ca?.reset();
        if (!pace || secured) return status(StatusWord.CONDITIONS_NOT_SATISFIED);
        return pace.mseSetAt(c);
      }
      if (p1p2 === 0x41a4 || p1p2 === 0x41a6) {
        pace?.reset();
        if (!ca) return status(StatusWord.REFERENCED_DATA_NOT_FOUND);
        if (!secured) return status(StatusWord.SECURITY_STATUS_NOT_SATISFIED);
        return p1p2 === 0x41a4 ? ca.mseSetAt(c) : ca.mseSetKat(c);
      }
      return status(StatusWord.INCORRECT_P1P2);
    },
    generalAuthenticate(c: CommandApdu, secured: boolean): HandlerResult {
      if (pace?.active && !secured) return pace.generalAuthenticate(c);
      if (ca?.active && secured) return ca.generalAuthenticate(c);
      return status(StatusWord.CONDITIONS_NOT_SATISFIED);
    },
    internalAuthenticate(c: CommandApdu): HandlerResult {
      return aa ? aa.internalAuthenticate(c) : status(StatusWord.INS_NOT_SUPPORTED);
    },
    reset(): void {
      pace?.reset();
      ca?.reset();
    },
  };
}
