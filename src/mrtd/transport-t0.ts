// ISO/IEC 7816-3 / 7816-4 §5.3.4 response handling that some chips and readers leave to the
// terminal: 61xx ("xx more bytes, ask with GET RESPONSE") and 6Cxx ("wrong Le, xx available,
// send again with Le = xx"). Contactless eMRTDs rarely use them, contact cards and some
// reader firmwares do. This sits directly on the card channel, below secure messaging, so
// what SM sees is always the chip's complete answer.
import { encodeCommand, parseCommand, parseResponse, encodeResponse, type OpOptions, type Transceiver } from './apdu.js';
import { MrtdError } from './errors.js';

/** More answers than a response could ever need: a chip that keeps saying 61xx is broken. */
export const MAX_GET_RESPONSE = 300;

export class ResponseCompletingTransceiver implements Transceiver {
  readonly #inner: Transceiver;
  constructor(inner: Transceiver) {
    this.#inner = inner;
  }

  async transceive(command: Buffer, options?: OpOptions): Promise<Buffer> {
    let r = parseResponse(await this.#inner.transceive(command, options));
    if (r.sw >> 8 === 0x6c) {
      // Re-send once with the Le the chip asked for (only meaningful for short Le).
      const c = parseCommand(command);
      if (!c.extended) r = parseResponse(await this.#inner.transceive(encodeCommand({ ...c, ne: (r.sw & 0xff) || 256 }), options));
    }
    if (r.sw >> 8 !== 0x61) return encodeResponse(r);
    const parts: Buffer[] = [r.data];
    let sw = r.sw;
    let rounds = 0;
    while (sw >> 8 === 0x61) {
      if (++rounds > MAX_GET_RESPONSE) throw new MrtdError('PROTOCOL', 'CHIP', `more than ${MAX_GET_RESPONSE} GET RESPONSE rounds`);
      const ne = sw & 0xff || 256;
      const more = parseResponse(await this.#inner.transceive(encodeCommand({ cla: command[0]! & 0x03, ins: 0xc0, p1: 0, p2: 0, ne }), { ...options, step: `${options?.step ?? 'apdu'}.getResponse` }));
      parts.push(more.data);
      sw = more.sw;
    }
    return encodeResponse({ data: Buffer.concat(parts), sw });
  }
}
