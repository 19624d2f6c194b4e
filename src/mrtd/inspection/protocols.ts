// The protocol steps the inspection calls, as one injectable object (STYLE.md P2): the
// default binds the engine's implementations (../access, ../auth); tests may provide others.
import type { MrtdNative } from '../../native/mrtd.js';
import type { OpOptions, Transceiver } from '../apdu.js';
import type { RandomSource } from '../card.js';
import type { Dg15 } from '../lds/dg15.js';
import type { PaceInfo, SecurityInfo } from '../lds/security-infos.js';
import type { SecureChannel } from '../sm/channel.js';
import type { SessionKeys } from '../sm/keys.js';

export interface ProtocolContext {
  readonly native: MrtdNative;
  readonly random: RandomSource;
}

export type PacePassword = { readonly kind: 'MRZ'; readonly mrzInformation: string } | { readonly kind: 'CAN'; readonly can: string };

export interface PaceOutcome {
  readonly variant: string;
  readonly keys: SessionKeys;
  readonly channel: SecureChannel;
  /** PACE-CAM: checks the chip's mapping key against its static key from EF.CardSecurity. */
  readonly verifyCam?: (cardSecurityInfos: readonly SecurityInfo[]) => { verified: boolean; detail?: string };
}

export interface CaOutcome {
  readonly channel: SecureChannel;
  readonly keys: SessionKeys;
  readonly description: string;
}

export interface AaOutcome {
  readonly verified: boolean;
  readonly algorithm: string;
  readonly detail?: string;
}

export interface InspectionProtocols {
  pace(card: Transceiver, password: PacePassword, info: PaceInfo, cardAccess: readonly SecurityInfo[], ctx: ProtocolContext, options: OpOptions): Promise<PaceOutcome>;
  bac(card: Transceiver, mrzInformation: string, ctx: ProtocolContext, options: OpOptions): Promise<{ keys: SessionKeys; channel: SecureChannel }>;
  chipAuthentication(raw: Transceiver, channel: SecureChannel, dg14: readonly SecurityInfo[], ctx: ProtocolContext, options: OpOptions): Promise<CaOutcome>;
  activeAuthentication(channel: Transceiver, dg15: Dg15, dg14: readonly SecurityInfo[] | undefined, ctx: ProtocolContext, options: OpOptions): Promise<AaOutcome>;
  /** Which PACEInfo to use when the chip offers several (most preferred first). */
  choosePace(infos: readonly PaceInfo[]): PaceInfo | undefined;
}
