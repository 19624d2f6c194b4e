// Recovery of the PC/SC path when pcscd goes away: a clean restart, a crash (SIGKILL) with
// pcscd down for a while (the reader keeps trying), and pcscd dying in the middle of a
// command. The reader must report the reader gone and back, the virtual card must come back
// on its own (vpcd listens again), and a new channel must work. Uses its own private pcscd,
// so it never disturbs pcsc-exchange.test.ts running beside it.
import t from 'tap';
import { once } from 'node:events';
import { DeviceGoneError } from '../../src/errors.js';
import { encodeCommand, encodeResponse, parseCommand, parseResponse, StatusWord } from '../../src/mrtd/apdu.js';
import type { ChipLike } from '../../src/mrtd/chip/link.js';
import { VpcdCard } from '../../src/mrtd/chip/vpcd.js';
import { PcscCardReader } from '../../src/devices/card-reader/pcsc.js';
import { loadPcscliteBinding } from '../../src/devices/card-reader/pcsc-binding.js';
import type { CardReaderEvents } from '../../src/devices/card-reader/contract.js';
import { Pcscd } from '../../src/platform/pcscd.js';
import { platformPaths } from '../../src/platform/paths.js';

/** Answers every command with its INS byte and 9000; can hold its answers. */
class EchoChip implements ChipLike {
  #hold: Promise<void> | undefined;
  #release: (() => void) | undefined;
  hold(): void {
    this.#hold = new Promise((r) => (this.#release = r));
  }
  release(): void {
    this.#release?.();
    this.#hold = undefined;
  }
  async process(command: Buffer): Promise<Buffer> {
    const c = parseCommand(command);
    if (this.#hold) await this.#hold;
    return encodeResponse({ data: Buffer.from([c.ins]), sw: StatusWord.OK });
  }
}

const paths = platformPaths(process.env);
const pcscd = new Pcscd({ paths, mode: 'private' });
const chip = new EchoChip();
const life = new AbortController();
let card: VpcdCard;
let reader: PcscCardReader;
const seen: string[] = [];

t.before(async () => {
  await pcscd.start();
  card = new VpcdCard({ chip, host: paths.vpcdHost, port: pcscd.vpcdPort, retryDelayMs: 100 });
  reader = new PcscCardReader({
    binding: loadPcscliteBinding(),
    socketPath: pcscd.socketPath,
    readerName: new RegExp(`^${pcscd.readerName(0)}$`),
    retryDelayMs: 200,
  });
  for (const name of ['readerAttached', 'readerDetached', 'cardPresent', 'cardRemoved'] as const satisfies readonly (keyof CardReaderEvents)[]) {
    reader.events.on(name, () => seen.push(name));
  }
  await card.start(life.signal);
  const present = once(reader.events, 'cardPresent');
  await reader.start(life.signal);
  await card.insert({ timeoutMs: 5000 });
  await present;
});

t.teardown(async () => {
  life.abort();
  chip.release();
  for (const step of [() => reader.stop(), () => card.stop(), () => pcscd.stop()]) {
    try {
      await step();
    } catch (e) {
      t.comment(`teardown: ${String(e)}`);
    }
  }
});

const probe = encodeCommand({ cla: 0, ins: 0x84, p1: 0, p2: 0, ne: 8 });

/** Waits until the reader reports a card again after an outage. */
async function backWithCard(timeoutMs: number): Promise<void> {
  if (reader.state === 'cardPresent') return;
  await reader.waitForCard({ timeoutMs });
}

t.test('a clean pcscd restart: reader gone, back, card back, new channel works', async (t) => {
  const ch = await reader.connect({ timeoutMs: 5000 });
  t.equal(parseResponse(await ch.transceive(probe)).data[0], 0x84);
  seen.length = 0;
  const detached = once(reader.events, 'readerDetached');
  await pcscd.restart({ kill: 'SIGTERM' });
  await detached;
  await backWithCard(10_000);
  t.same(seen.slice(0, 2), ['cardRemoved', 'readerDetached'], 'the card goes with the reader');
  t.ok(seen.includes('readerAttached') && seen.indexOf('readerAttached') < seen.lastIndexOf('cardPresent'), 'reader back before its card');
  t.equal(ch.open, false, 'the old channel ended');
  t.type(await ch.transceive(probe).catch((e: unknown) => e), DeviceGoneError);
  const ch2 = await reader.connect({ timeoutMs: 5000 });
  t.equal(parseResponse(await ch2.transceive(probe)).sw, StatusWord.OK, 'the new pcscd serves the card');
});

t.test('a pcscd crash and a second of downtime: the reader keeps trying', async (t) => {
  const faults: Error[] = [];
  const onFault = (e: CardReaderEvents['fault'][0]): void => {
    faults.push(e.error);
  };
  reader.events.on('fault', onFault);
  t.teardown(() => reader.events.off('fault', onFault));
  await pcscd.restart({ kill: 'SIGKILL', downMs: 1200 });
  await backWithCard(10_000);
  t.ok(faults.length >= 2, `faults reported while pcscd was away (${faults.length})`);
  const ch = await reader.connect({ timeoutMs: 5000 });
  t.equal(parseResponse(await ch.transceive(probe)).sw, StatusWord.OK);
});

t.test('pcscd dies in the middle of a command: DeviceGoneError, then recovery', async (t) => {
  const ch = await reader.connect({ timeoutMs: 5000 });
  chip.hold();
  const pending = ch.transceive(probe, { timeoutMs: 8000, step: 'CA.generalAuthenticate' }).catch((e: unknown) => e);
  await new Promise((r) => setTimeout(r, 100));
  await pcscd.restart({ kill: 'SIGKILL' });
  const err = await pending;
  t.type(err, DeviceGoneError, `got ${String(err)}`);
  chip.release();
  await backWithCard(10_000);
  const ch2 = await reader.connect({ timeoutMs: 5000 });
  t.equal(parseResponse(await ch2.transceive(probe)).sw, StatusWord.OK);
});
