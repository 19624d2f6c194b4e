// The whole document check: rendered data pages (with UV and IR images where a scenario needs
// them) and generated passports read through the virtual chip, judged into an identity
// confidence level. Each scenario is a story a kiosk meets.
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { MrtdNative } from '../../src/native/mrtd.js';
import { makePassport } from '../../src/mrtd/generator/make-passport.js';
import { loadPassportFolder } from '../../src/mrtd/chip/folder.js';
import { virtualChipOf } from '../../src/cli/card-source.js';
import { systemRandom } from '../../src/mrtd/card.js';
import { inspectDocument } from '../../src/mrtd/inspection/inspect.js';
import { defaultProtocols } from '../../src/mrtd/inspection/default-protocols.js';
import { loadTrustStore } from '../../src/mrtd/pki/trust-store.js';
import { silentLogger } from '../../src/log.js';
import { formatTd3 } from '../../src/mrtd/mrz.js';
import { checkDocument, type ChipReader } from '../../src/document/check.js';
import { capturePage, DEFAULT_GLASS, emptyGlass } from '../../src/document/render/defects.js';
import { specimenFromMrz } from '../../src/document/render/from-mrz.js';
import { irImage, uvImage } from '../../src/document/render/illumination.js';
import { renderDataPage } from '../../src/document/render/page.js';
import { seededRng } from '../../src/document/render/random.js';

const native = new MrtdNative();
const dir = mkdtempSync(join(tmpdir(), 'document-check-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const now = new Date('2026-11-23T12:00:00Z');
const fields = { documentCode: 'P', issuer: 'UTO', documentNumber: 'L898902C3', dateOfBirth: '740812', sex: 'F' as const, dateOfExpiry: '301231', nationality: 'UTO', primaryIdentifier: 'ERIKSSON', secondaryIdentifier: 'ANNA MARIA', optionalData: 'ZE184226B' };
const MRZ = formatTd3(fields);
const DPI = 300;
const glass = { ...DEFAULT_GLASS, dpi: DPI };
const still = { dxMm: 0, dyMm: 0, rotationDeg: 3, corners: [{ x: 0, y: 0 }, { x: 0, y: 0 }, { x: 0, y: 0 }, { x: 0, y: 0 }] } as const;

function page(mrz: string, seed: number) {
  const rng = seededRng(seed);
  return capturePage(renderDataPage(specimenFromMrz(mrz, now), rng, { dpi: DPI }), still, {}, rng, glass);
}

async function chipFor(mrz: string, name: string): Promise<ChipReader> {
  const folder = join(dir, name);
  const made = await makePassport(
    { outDir: folder, mrz, pkiDir: join(dir, 'pki'), bac: true, pace: { keyAgreement: 'ECDH', mapping: 'GM', cipher: 'AES-128', parameterId: 13 }, ca: 'ecdh', aa: 'ecdsa', dg2Format: 'ISO19794-5', hash: 'sha256', signer: 'ecdsa', explicitParameters: false, quirks: { extendedLength: true }, extraStates: { UTO: 'UT' } },
    { now: () => now },
  );
  const passport = await loadPassportFolder(folder);
  const trust = await loadTrustStore(made.trust);
  return async (access) => {
    const chip = virtualChipOf(passport, native);
    return inspectDocument(
      { card: { transceive: (c) => chip.process(c) }, extendedLength: true, access: { mrz: access }, trust },
      { native, random: systemRandom, logger: silentLogger, now: () => now, protocols: defaultProtocols() },
    );
  };
}

const result = (r: Awaited<ReturnType<typeof checkDocument>>, id: string) => r.checks.find((c) => c.id === id);

t.test('a genuine passport: page and chip agree, UV-dull, MRZ black in IR; supported until biometrics bind the holder', async (t) => {
  const cap = page(MRZ, 1);
  const r = await checkDocument({ white: cap.image, uv: uvImage(cap, 'genuine'), ir: irImage(cap, 'genuine'), resolutionDpi: DPI }, await chipFor(MRZ, 'genuine'), { now: () => now });
  t.ok(r.mrz.ok, 'MRZ read');
  t.equal(r.chip.performed && r.chip.report.verdict, 'genuine');
  for (const id of ['mrz.optical-vs-chip', 'document.expiry', 'policy.document-type', 'policy.issuer', 'mrz.pitch', 'uv.substrate', 'ir.mrz']) t.equal(result(r, id)?.result, 'pass', id);
  t.equal(result(r, 'portrait.printed-vs-chip')?.result, 'not-performed', 'no face engine yet: not performed, not passed');
  t.equal(r.identity.level, 'supported');
  t.same(r.identity.riskIndicators, []);
});

t.test('a photocopy: no chip, substrate glows under UV — claimed, with a physical-anomaly risk', async (t) => {
  const cap = page(MRZ, 2);
  const r = await checkDocument({ white: cap.image, uv: uvImage(cap, 'photocopy'), ir: irImage(cap, 'photocopy'), resolutionDpi: DPI }, undefined, { now: () => now });
  t.equal(result(r, 'uv.substrate')?.code, 'UV_ANOMALY');
  t.equal(r.chip.performed, false);
  t.equal(r.identity.level, 'claimed');
  t.ok(r.identity.riskIndicators.length > 0, 'a risk indicator travels');
});

t.test('an MRZ printed in IR-transparent ink: IR anomaly', async (t) => {
  const cap = page(MRZ, 3);
  const r = await checkDocument({ white: cap.image, ir: irImage(cap, 'ir-transparent-mrz'), resolutionDpi: DPI }, await chipFor(MRZ, 'ir'), { now: () => now });
  t.equal(result(r, 'ir.mrz')?.code, 'IR_ANOMALY');
  t.equal(result(r, 'uv.substrate')?.result, 'not-performed', 'no UV image: not performed');
  t.equal(r.identity.level, 'claimed');
});

t.test('a page whose name was altered: the chip opens (same access key) but DG1 differs — false', async (t) => {
  const altered = formatTd3({ ...fields, secondaryIdentifier: 'ANNA MARIE' });
  const cap = page(altered, 4);
  const r = await checkDocument({ white: cap.image, resolutionDpi: DPI }, await chipFor(MRZ, 'altered'), { now: () => now });
  t.equal(result(r, 'mrz.optical-vs-chip')?.code, 'MRZ_MISMATCH');
  t.equal(r.identity.level, 'false');
  t.ok(r.identity.riskIndicators.some((i) => i.code === 'MRZ_TAMPERING'));
});

t.test('an expired passport', async (t) => {
  const expired = formatTd3({ ...fields, dateOfExpiry: '201231' });
  const cap = page(expired, 5);
  const r = await checkDocument({ white: cap.image, resolutionDpi: DPI }, await chipFor(expired, 'expired'), { now: () => now });
  t.equal(result(r, 'document.expiry')?.code, 'DOCUMENT_EXPIRED');
  t.ok(r.identity.riskIndicators.some((i) => i.code === 'DOCUMENT_EXPIRED'));
});

t.test('an empty glass: no MRZ, the chip is never opened with a guess', async (t) => {
  let asked = false;
  const r = await checkDocument({ white: emptyGlass(glass, seededRng(6)), resolutionDpi: DPI }, async () => {
    asked = true;
    throw new Error('must not be called');
  }, { now: () => now });
  t.equal(r.mrz.ok, false);
  t.equal(!r.mrz.ok && r.mrz.code, 'no-document');
  t.equal(asked, false);
  t.equal(r.chip.performed, false);
  t.equal(r.identity.level, 'claimed');
  t.same(r.guidance, ['placeDocument']);
});

t.test('glare over the MRZ: the applicant is told to shade the glass; no chip is opened with a guess', async (t) => {
  let asked = false;
  const rng = seededRng(8);
  const rendered = renderDataPage(specimenFromMrz(MRZ, now), rng, { dpi: DPI });
  const zone = capturePage(rendered, still, {}, seededRng(1), glass).pages[0]!.mrzZone;
  const centre = { x: (zone[0].x + zone[2].x) / 2, y: (zone[0].y + zone[2].y) / 2 };
  const cap = capturePage(rendered, still, { glare: { centre, coreMm: 12, haloMm: 10, strength: 0.9 } }, rng, glass);
  const r = await checkDocument({ white: cap.image, resolutionDpi: DPI }, async () => {
    asked = true;
    throw new Error('must not be called');
  }, { now: () => now });
  t.equal(r.mrz.ok, false, 'a whited-out MRZ is not read');
  t.equal(asked, false);
  t.equal(r.guidance[0], 'shadeFromLight', `guidance ${r.guidance.join(', ')}`);
});
