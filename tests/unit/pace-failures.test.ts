// PACE failure modes, terminal and chip side: a wrong password, tampered tokens, invalid and
// reflected public keys, refused MSE, chaining errors, PACE-CAM data that is missing or wrong,
// domains that cannot be used, and explicit domain parameters.
import t from 'tap';
import { MrtdNative } from '../../src/native/mrtd.js';
import { performPace, type PaceInfoLike } from '../../src/mrtd/access/pace.js';
import { verifyPaceCam } from '../../src/mrtd/access/pace-cam.js';
import { kaGroup } from '../../src/mrtd/access/pace-group.js';
import { systemRandom } from '../../src/mrtd/card.js';
import { PaceChip } from '../../src/mrtd/chip/pace.js';
import { parsePrivateKey } from '../../src/mrtd/chip/private-keys.js';
import { encodeResponse, parseCommand, parseResponse, type Transceiver } from '../../src/mrtd/apdu.js';
import { der } from '../../src/mrtd/asn1.js';
import { MrtdError } from '../../src/mrtd/errors.js';
import { keyAgreementProtocol, OID } from '../../src/mrtd/lds/oids.js';
import type { PaceDomainParameterInfo, PaceInfo, SecurityInfo } from '../../src/mrtd/lds/security-infos.js';
import { standardDomain } from '../../src/mrtd/params/domains.js';
import { children, encode, parseSingle } from '../../src/mrtd/tlv.js';
import { generateKeyPairSync } from 'node:crypto';

const native = new MrtdNative();
const MRZ_INFO = 'L898902C3674081221204159';
const ecGm = `${OID.idPACE_ECDH_GM}.2`;
const dhGm = `${OID.idPACE_DH_GM}.2`;
const ecCam = `${OID.idPACE_ECDH_CAM}.2`;

function info(protocol: string, parameterId?: number): PaceInfo {
  return { type: 'PACEInfo', protocol, suite: keyAgreementProtocol(protocol)!, version: 2, ...(parameterId === undefined ? {} : { parameterId }) };
}

/** A PACE chip behind a proxy that may rewrite each command and response (index = APDU number). */
function link(
  infos: readonly SecurityInfo[],
  opts: { can?: string; cam?: boolean; cmd?: (i: number, c: Buffer) => Buffer; rsp?: (i: number, r: Buffer) => Buffer } = {},
): { link: Transceiver; chip: PaceChip; log: Buffer[] } {
  const camKey = opts.cam ? parsePrivateKey(generateKeyPairSync('ec', { namedCurve: 'brainpoolP256r1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }), native) : undefined;
  const chip = new PaceChip({ securityInfos: infos, mrzInformation: MRZ_INFO, ...(opts.can ? { can: opts.can } : {}), ...(camKey ? { camKey } : {}) }, { native, random: systemRandom });
  const log: Buffer[] = [];
  let i = 0;
  return {
    chip,
    log,
    link: {
      transceive: (command) => {
        const n = i++;
        const c = opts.cmd ? opts.cmd(n, command) : command;
        const r = encodeResponse(chip.handle(parseCommand(c)).response);
        log.push(r);
        return Promise.resolve(opts.rsp ? opts.rsp(n, r) : r);
      },
    },
  };
}

/** Replaces the value of the data object `tag` inside a response's 7C template. */
function replaceDo(r: Buffer, tag: number, value: Buffer | undefined): Buffer {
  const { data, sw } = parseResponse(r);
  const dos = children(parseSingle(data)).filter((d) => d.tag !== tag || value !== undefined).map((d) => (d.tag === tag ? encode(tag, value!) : d.raw));
  return encodeResponse({ data: encode(0x7c, dos), sw });
}
const doOf = (r: Buffer, tag: number): Buffer => children(parseSingle(parseResponse(r).data)).find((d) => d.tag === tag)!.value;
const ctx = { native, random: systemRandom };
const mrz = { kind: 'MRZ' as const, mrzInformation: MRZ_INFO };

t.test('a wrong password: the chip refuses the terminal token (6300) and forgets the run', async (t) => {
  const l = link([info(ecGm, 13)], { can: '123456' });
  await t.rejects(performPace(l.link, { kind: 'CAN', can: '123457' }, info(ecGm, 13), ctx), { code: 'AUTH_FAILED', step: 'PACE', sw: 0x6300 });
  t.equal(l.chip.active, false);
  t.equal(l.chip.generalAuthenticate({ cla: 0x10, ins: 0x86, p1: 0, p2: 0, data: Buffer.from('7C00', 'hex') }).response.sw, 0x6985);
  // The right password still works afterwards, starting over with MSE:Set AT.
  const r = await performPace(l.link, { kind: 'CAN', can: '123456' }, info(ecGm, 13), ctx);
  t.equal(r.password, 'CAN');
});

t.test('a tampered chip token is AUTH_FAILED without a status word', async (t) => {
  const l = link([info(ecGm, 13)], { rsp: (i, r) => (i === 4 ? replaceDo(r, 0x86, Buffer.alloc(8, 0x55)) : r) });
  const e = await performPace(l.link, mrz, info(ecGm, 13), ctx).catch((x: unknown) => x);
  t.ok(e instanceof MrtdError);
  t.match(e, { code: 'AUTH_FAILED', step: 'PACE', sw: undefined });
});

t.test('a tampered terminal token: the chip answers 6300', async (t) => {
  const l = link([info(ecGm, 13)], { cmd: (i, c) => (i === 4 ? Buffer.concat([c.subarray(0, 9), Buffer.alloc(8, 0x11), c.subarray(17)]) : c) });
  await t.rejects(performPace(l.link, mrz, info(ecGm, 13), ctx), { code: 'AUTH_FAILED', sw: 0x6300 });
});

t.test('invalid or reflected chip public keys are refused (ECDH)', async (t) => {
  const g = kaGroup(standardDomain(13)!, native, 'PACE');
  const offCurve = (p: Buffer): Buffer => {
    const b = Buffer.from(p);
    b[b.length - 1]! ^= 1;
    return b;
  };
  const cases: [string, number, number, (r: Buffer) => Buffer][] = [
    ['mapping key off the curve', 2, 0x82, (r) => offCurve(doOf(r, 0x82))],
    ['mapping key compressed', 2, 0x82, (r) => Buffer.concat([Buffer.from([2]), doOf(r, 0x82).subarray(1, 33)])],
    ['mapping key empty', 2, 0x82, () => Buffer.alloc(0)],
    ['ephemeral key off the curve', 3, 0x84, (r) => offCurve(doOf(r, 0x84))],
    ['ephemeral key the generator', 3, 0x84, () => g.generator],
    ['ephemeral key all zero', 3, 0x84, () => Buffer.concat([Buffer.from([4]), Buffer.alloc(64)])],
  ];
  for (const [name, step, tag, bad] of cases) {
    const l = link([info(ecGm, 13)], { rsp: (i, r) => (i === step ? replaceDo(r, tag, bad(r)) : r) });
    const e = await performPace(l.link, mrz, info(ecGm, 13), ctx).catch((x: unknown) => x);
    // The generator is a valid point: it passes validation and fails at the tokens instead.
    t.match(e, { step: 'PACE', code: name.includes('generator') ? 'AUTH_FAILED' : 'PROTOCOL' }, name);
  }
  // A chip (or relay) that returns the terminal's own key.
  let sent: Buffer | undefined;
  const l = link([info(ecGm, 13)], {
    cmd: (i, c) => {
      if (i === 3) sent = children(parseSingle(parseCommand(c).data!))[0]!.value;
      return c;
    },
    rsp: (i, r) => (i === 3 ? replaceDo(r, 0x84, sent) : r),
  });
  await t.rejects(performPace(l.link, mrz, info(ecGm, 13), ctx), { code: 'PROTOCOL', message: /terminal ephemeral key/ });
});

t.test('invalid chip public values are refused (DH, RFC 2631 check)', async (t) => {
  const p = standardDomain(0)!;
  if (p.kind !== 'DH') throw new Error('DH');
  const pMinus1 = Buffer.from(p.group.p);
  pMinus1[pMinus1.length - 1]! -= 1;
  for (const [name, value] of [
    ['y = 1', Buffer.from([1])],
    ['y = p - 1', pMinus1],
    ['y = p', p.group.p],
    ['y outside the subgroup', Buffer.from([2])],
    ['y longer than p', Buffer.alloc(129, 0x01)],
  ] as const) {
    const l = link([info(dhGm, 0)], { rsp: (i, r) => (i === 3 ? replaceDo(r, 0x84, value) : r) });
    await t.rejects(performPace(l.link, mrz, info(dhGm, 0), ctx), { code: 'PROTOCOL', step: 'PACE' }, name);
  }
});

t.test('the chip refuses an invalid terminal key with 6A80', async (t) => {
  const l = link([info(ecGm, 13)], { cmd: (i, c) => (i === 3 ? Buffer.concat([c.subarray(0, c.length - 2), Buffer.from([c[c.length - 2]! ^ 1, 0])]) : c) });
  await t.rejects(performPace(l.link, mrz, info(ecGm, 13), ctx), { code: 'STATUS', sw: 0x6a80 });
});

t.test('MSE:Set AT refusals carry the status word', async (t) => {
  await t.rejects(performPace(link([info(ecGm, 13)]).link, mrz, info(`${OID.idPACE_ECDH_GM}.4`, 13), ctx), { code: 'STATUS', sw: 0x6a88 }, 'suite not offered');
  await t.rejects(performPace(link([info(ecGm, 13)]).link, { kind: 'CAN', can: '1' }, info(ecGm, 13), ctx), { code: 'STATUS', sw: 0x6a88 }, 'no CAN on this chip');
  await t.rejects(performPace(link([info(ecGm, 13)]).link, mrz, info(ecGm, 12), ctx), { code: 'STATUS', sw: 0x6a88 }, 'other parameter id');
  await t.rejects(performPace(link([info(ecGm, 13)]).link, mrz, { protocol: OID.idCA_ECDH + '.2' }, ctx), { code: 'UNSUPPORTED' }, 'not a PACE OID');
});

t.test('domains that cannot be used are UNSUPPORTED before any APDU', async (t) => {
  const silent: Transceiver = { transceive: () => Promise.reject(new Error('no APDU expected')) };
  await t.rejects(performPace(silent, mrz, info(`${OID.idPACE_ECDH_IM}.2`, 10), ctx), { code: 'UNSUPPORTED', message: /p ≡ 3 mod 4/ }, 'IM on P-224');
  await t.rejects(performPace(silent, mrz, info(ecGm, 5), ctx), { code: 'UNSUPPORTED' }, 'reserved parameter id');
  await t.rejects(performPace(silent, mrz, info(ecGm), ctx), { code: 'UNSUPPORTED' }, 'no parameter id');
  await t.rejects(performPace(silent, mrz, info(dhGm, 13), ctx), { code: 'PROTOCOL' }, 'DH suite with an EC domain');
});

t.test('GENERAL AUTHENTICATE chaining and order on the chip', async (t) => {
  const chip = new PaceChip({ securityInfos: [info(ecGm, 13)], mrzInformation: MRZ_INFO }, { native, random: systemRandom });
  const mse = { cla: 0, ins: 0x22, p1: 0xc1, p2: 0xa4, data: Buffer.from('800A04007F00070202040202830101', 'hex') };
  t.equal(chip.generalAuthenticate({ cla: 0x10, ins: 0x86, p1: 0, p2: 0, data: Buffer.from('7C00', 'hex') }).response.sw, 0x6985, 'no MSE first');
  t.equal(chip.mseSetAt(mse).response.sw, 0x9000);
  t.equal(chip.generalAuthenticate({ cla: 0x00, ins: 0x86, p1: 0, p2: 0, data: Buffer.from('7C00', 'hex') }).response.sw, 0x6985, 'step 1 must be chained');
  t.equal(chip.mseSetAt(mse).response.sw, 0x9000);
  t.equal(chip.generalAuthenticate({ cla: 0x10, ins: 0x86, p1: 0, p2: 0, data: Buffer.from('7C028000', 'hex') }).response.sw, 0x6a80, 'step 1 takes no data');
  t.equal(chip.mseSetAt({ ...mse, data: Buffer.from('8001FF', 'hex') }).response.sw, 0x6a80, 'garbled OID');
  t.equal(chip.mseSetAt({ ...mse, data: Buffer.from('800A04007F00070202040202830103', 'hex') }).response.sw, 0x6a80, 'unknown password reference');
  t.equal(chip.mseSetAt({ ...mse, p1: 0x81 }).response.sw, 0x6a86);
});

t.test('PACE-CAM: missing or tampered chip authentication data', async (t) => {
  const cam = info(ecCam, 13);
  await t.rejects(performPace(link([cam], { cam: true, rsp: (i, r) => (i === 4 ? replaceDo(r, 0x8a, undefined) : r) }).link, mrz, cam, ctx), { code: 'PROTOCOL', message: /8a missing/ });
  await t.rejects(performPace(link([cam], { cam: true, rsp: (i, r) => (i === 4 ? replaceDo(r, 0x8a, Buffer.alloc(5)) : r) }).link, mrz, cam, ctx), { code: 'PROTOCOL' });
  // A flipped bit in the first block garbles CA_IC but keeps the padding: the check fails.
  let good: Buffer | undefined;
  const l = link([cam], { cam: true, rsp: (i, r) => {
    if (i !== 4) return r;
    good = doOf(r, 0x8a);
    const bad = Buffer.from(good);
    bad[0]! ^= 0x80;
    return replaceDo(r, 0x8a, bad);
  } });
  const r = await performPace(l.link, mrz, cam, ctx).catch((e: unknown) => e);
  if (r instanceof MrtdError) t.equal(r.code, 'PROTOCOL');
  else {
    const res = r as Awaited<ReturnType<typeof performPace>>;
    const d = standardDomain(13)!;
    if (d.kind !== 'EC') throw new Error('EC');
    // Whatever static key: the garbled data does not match the mapping key.
    t.notOk(verifyPaceCam(res.cam!, { domain: d, publicKey: res.cam!.mappingPublicKey }, native));
  }
  t.ok(good);
});

t.test('explicit domain parameters (PACEDomainParameterInfo)', async (t) => {
  const d = standardDomain(13)!;
  if (d.kind !== 'EC') throw new Error('EC');
  const g = kaGroup(d, native, 'PACE');
  const explicit = (gx: Buffer, gy: Buffer): PaceDomainParameterInfo => ({
    type: 'PACEDomainParameterInfo', protocol: OID.idPACE_ECDH_GM, keyAgreement: 'ECDH', mapping: 'GM', parameterId: 32,
    domainParameter: {
      algorithm: OID.ecPublicKey,
      parameters: der.seq(der.int(1), der.seq(der.oid(OID.primeField), der.int(d.curve.p)), der.seq(der.octets(d.curve.a), der.octets(d.curve.b)), der.octets(Buffer.concat([Buffer.from([4]), gx, gy])), der.int(d.curve.n), der.int(1)),
    },
  });
  const pi: PaceInfoLike = { protocol: ecGm, parameterId: 32 };
  // The same curve given explicitly is a standardized domain: accepted.
  const same = explicit(d.curve.gx, d.curve.gy);
  const r = await performPace(link([info(ecGm, 32), same]).link, mrz, pi, ctx, { domainParameterInfos: [same] });
  t.equal(r.variant, 'ECDH-GM-AES-128');
  // Another generator (2G) is an unknown domain: refused unless trusted explicitly.
  const g2 = g.publicKey(Buffer.from([2]));
  const other = explicit(g2.subarray(1, 33), g2.subarray(33));
  await t.rejects(performPace(link([info(ecGm, 32), other]).link, mrz, pi, ctx, { domainParameterInfos: [other] }), { code: 'UNSUPPORTED', message: /not known to be secure/ });
  const r2 = await performPace(link([info(ecGm, 32), other]).link, mrz, pi, ctx, { domainParameterInfos: [other], trustExplicitDomainParameters: true });
  t.equal(r2.variant, 'ECDH-GM-AES-128');
});
