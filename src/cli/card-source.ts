// Where `kioskctl mrtd read` gets its card: a virtual passport folder served in process through
// the simulated reader (with the folder's link model), or a PC/SC reader. This is one of the
// two places (with the daemon's composition root) that picks a real or simulated device.
import { PcscCardReader } from '../devices/card-reader/pcsc.js';
import { loadPcscliteBinding } from '../devices/card-reader/pcsc-binding.js';
import { SimulatedCardReader } from '../devices/card-reader/simulated.js';
import type { CardChannel, CardReader } from '../devices/card-reader/contract.js';
import type { Logger } from '../log.js';
import { systemRandom } from '../mrtd/card.js';
import type { VirtualPassport } from '../mrtd/chip/folder.js';
import { FaultyChip } from '../mrtd/chip/faults.js';
import type { ChipLike } from '../mrtd/chip/link.js';
import { createChipProtocols } from '../mrtd/chip/protocols.js';
import { VirtualChip } from '../mrtd/chip/virtual-chip.js';
import type { MrtdNative } from '../native/mrtd.js';

export type CardSource = { readonly kind: 'virtual'; readonly passport: VirtualPassport } | { readonly kind: 'pcsc'; readonly readerName: string };

export interface OpenCard {
  readonly card: CardChannel;
  readonly extendedLength: boolean;
  close(): Promise<void>;
}

/** How long `mrtd read --reader` waits for a card to be presented. */
export const WAIT_FOR_CARD_MS = 15000;

/**
 * The chip a passport folder describes: the virtual chip, behind the folder's fault list when
 * chip.json has one (`onRemove` lets a `remove` fault take the card out of the reader).
 */
export function virtualChipOf(passport: VirtualPassport, native: MrtdNative, hooks: { onRemove?: () => void; logger?: Logger } = {}): ChipLike {
  const deps = { native, random: systemRandom };
  const chip = new VirtualChip(passport, { ...deps, protocols: createChipProtocols(passport, deps) });
  const faults = passport.config.faults;
  return faults && faults.length > 0 ? new FaultyChip(chip, faults, { random: systemRandom, ...hooks }) : chip;
}

export async function openCardChannel(source: CardSource, deps: { native: MrtdNative; logger: Logger }): Promise<OpenCard> {
  const stop = new AbortController();
  let reader: CardReader;
  if (source.kind === 'virtual') {
    const q = source.passport.config.quirks;
    const sim = new SimulatedCardReader({ link: { latencyMs: q.apduLatencyMs, bitRateKbps: q.bitRateKbps > 0 ? q.bitRateKbps : Infinity }, logger: deps.logger });
    sim.insert(
      virtualChipOf(source.passport, deps.native, {
        onRemove: () => {
          sim.remove();
        },
        logger: deps.logger,
      }),
    );
    reader = sim;
  } else {
    const escaped = source.readerName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    reader = new PcscCardReader({ binding: loadPcscliteBinding(), readerName: new RegExp(`^${escaped}`), logger: deps.logger });
  }
  await reader.start(stop.signal);
  try {
    await reader.waitForCard({ timeoutMs: WAIT_FOR_CARD_MS });
    const card = await reader.connect();
    return {
      card,
      extendedLength: card.extendedLength.supported,
      close: async () => {
        await card.disconnect();
        await reader.stop();
      },
    };
  } catch (e) {
    await reader.stop();
    throw e;
  }
}
