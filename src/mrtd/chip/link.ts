// A model of the contactless link between a reader and a chip: a fixed latency per APDU
// exchange and a bit rate at which every byte of the command and of the response travels.
// The virtual chip runs behind it both in process (the simulated reader) and behind vpcd,
// so that timings in the simulator and the benchmark look like a real passport's (ISO/IEC
// 14443-4 at 106..848 kbit/s, plus the reader's and the chip's processing time).
//
// The model only computes durations; waiting is done by an injected `sleep`, so tests run
// it on a fake clock and assert the exact time charged.
import { setTimeout as delay } from 'node:timers/promises';
import { AbortedError, InvalidArgumentError } from '../../errors.js';
import { contactlessAtr } from '../atr.js';

export interface LinkModel {
  /** Fixed time per command-response pair (frame delays, reader firmware, USB), in ms. */
  readonly latencyMs: number;
  /** Air bit rate in kbit/s (1000 bits per second); `Infinity` charges nothing per byte. */
  readonly bitRateKbps: number;
}

/** No delay at all: unit tests and conformance runs. */
export const INSTANT_LINK: LinkModel = { latencyMs: 0, bitRateKbps: Infinity };

/**
 * ISO/IEC 14443-2 bit rates fc/128..fc/16 with fc = 13.56 MHz (about 106, 212, 424 and 848
 * kbit/s). The latencies are this project's round figures for a desktop USB reader and a
 * passport chip, not measurements; replace them with a chip's own `quirks` when known.
 */
export const LINK_PRESETS = {
  iso14443_106: { latencyMs: 8, bitRateKbps: 13_560 / 128 },
  iso14443_212: { latencyMs: 6, bitRateKbps: 13_560 / 64 },
  iso14443_424: { latencyMs: 5, bitRateKbps: 13_560 / 32 },
  iso14443_848: { latencyMs: 4, bitRateKbps: 13_560 / 16 },
} as const satisfies Record<string, LinkModel>;

export function validateLinkModel(m: LinkModel): LinkModel {
  if (!Number.isFinite(m.latencyMs) || m.latencyMs < 0) throw new InvalidArgumentError('latencyMs', 'a finite number >= 0', m.latencyMs);
  if (Number.isNaN(m.bitRateKbps) || m.bitRateKbps <= 0) throw new InvalidArgumentError('bitRateKbps', 'a number > 0 or Infinity', m.bitRateKbps);
  return m;
}

/** Time to move `bytes` bytes at the model's bit rate, in ms (8 bits a byte). */
export function transferMs(m: LinkModel, bytes: number): number {
  return m.bitRateKbps === Infinity ? 0 : (bytes * 8) / m.bitRateKbps;
}

/** Total time one exchange costs: latency plus both directions at the bit rate. */
export function exchangeMs(m: LinkModel, commandBytes: number, responseBytes: number): number {
  return m.latencyMs + transferMs(m, commandBytes) + transferMs(m, responseBytes);
}

/** Waits `ms` milliseconds; rejects with an AbortedError when `signal` aborts first. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** The real clock's sleep (timers/promises), with abort support. */
export const realSleep: Sleep = async (ms, signal) => {
  if (ms <= 0) {
    if (signal?.aborted) throw new AbortedError('link', { cause: signal.reason });
    return;
  }
  try {
    await delay(ms, undefined, signal ? { signal } : undefined);
  } catch (e) {
    if (signal?.aborted) throw new AbortedError('link', { cause: signal.reason });
    throw e;
  }
};

/** What a reader talks to: the virtual chip, a test chip, a scripted chip. */
export interface ChipLike {
  /** Answers one command APDU (bytes) with a response APDU (data || SW1 SW2). */
  process(command: Buffer): Promise<Buffer>;
  /** The chip's ATR, when it builds its own. */
  readonly atr?: Buffer;
  /** The chip's ATS historical bytes, from which a contactless ATR is built (PC/SC Part 3). */
  readonly historicalBytes?: Buffer;
  /** Power cycle: the field went off, or the reader reset the card. */
  reset?(): void;
}

/**
 * The ATR a reader reports for `chip`: its own, or the PC/SC Part 3 contactless ATR built from
 * its historical bytes (none: `3B 80 80 01 01`, as Type B passports without any show).
 */
export function chipAtr(chip: ChipLike): Buffer {
  return chip.atr ?? contactlessAtr(chip.historicalBytes ?? Buffer.alloc(0));
}

/**
 * A chip behind a link: each exchange waits for the command to travel and the latency, lets
 * the chip answer, then waits for the response to travel back. An abort during either wait
 * rejects (the exchange is cut off); the chip still saw the command if the first wait ended.
 */
export class LinkedChip {
  readonly #chip: ChipLike;
  readonly #model: LinkModel;
  readonly #sleep: Sleep;

  constructor(chip: ChipLike, model: LinkModel, sleep: Sleep = realSleep) {
    this.#chip = chip;
    this.#model = validateLinkModel(model);
    this.#sleep = sleep;
  }

  get chip(): ChipLike {
    return this.#chip;
  }

  get model(): LinkModel {
    return this.#model;
  }

  async exchange(command: Buffer, signal?: AbortSignal): Promise<Buffer> {
    await this.#sleep(this.#model.latencyMs + transferMs(this.#model, command.length), signal);
    const response = await this.#chip.process(command);
    await this.#sleep(transferMs(this.#model, response.length), signal);
    return response;
  }
}
