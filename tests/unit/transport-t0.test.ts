// 61xx / GET RESPONSE and 6Cxx handling below secure messaging.
import t from 'tap';
import { encodeCommand, encodeResponse, parseCommand, parseResponse, type Transceiver } from '../../src/mrtd/apdu.js';
import { ResponseCompletingTransceiver } from '../../src/mrtd/transport-t0.js';

const data = Buffer.from(Array.from({ length: 700 }, (_, i) => i & 0xff));

t.test('61xx: the rest is fetched with GET RESPONSE until the final status', async (t) => {
  const seen: number[] = [];
  let rest = Buffer.alloc(0);
  const chip: Transceiver = {
    transceive: async (cmd) => {
      const c = parseCommand(cmd);
      seen.push(c.ins);
      if (c.ins === 0xb0) rest = data;
      const piece = rest.subarray(0, 250);
      rest = rest.subarray(250);
      return encodeResponse({ data: piece, sw: rest.length ? 0x6100 | Math.min(rest.length, 255) : 0x9000 });
    },
  };
  const r = parseResponse(await new ResponseCompletingTransceiver(chip).transceive(encodeCommand({ cla: 0, ins: 0xb0, p1: 0, p2: 0, ne: 65536, extended: true })));
  t.ok(r.data.equals(data));
  t.equal(r.sw, 0x9000);
  t.same(seen, [0xb0, 0xc0, 0xc0]);
});

t.test('6Cxx: sent again once with the Le the chip names', async (t) => {
  const les: (number | undefined)[] = [];
  const chip: Transceiver = {
    transceive: async (cmd) => {
      const c = parseCommand(cmd);
      les.push(c.ne);
      return c.ne === 20 ? encodeResponse({ data: data.subarray(0, 20), sw: 0x9000 }) : encodeResponse({ data: Buffer.alloc(0), sw: 0x6c14 });
    },
  };
  const r = parseResponse(await new ResponseCompletingTransceiver(chip).transceive(encodeCommand({ cla: 0, ins: 0xb0, p1: 0, p2: 0, ne: 100 })));
  t.equal(r.data.length, 20);
  t.same(les, [100, 20]);
});

t.test('a chip that never stops saying 61xx is a protocol error', async (t) => {
  const chip: Transceiver = { transceive: async () => encodeResponse({ data: Buffer.from([1]), sw: 0x6101 }) };
  await t.rejects(new ResponseCompletingTransceiver(chip).transceive(encodeCommand({ cla: 0, ins: 0xb0, p1: 0, p2: 0, ne: 5 })), { code: 'PROTOCOL' });
});
