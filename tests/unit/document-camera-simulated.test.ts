// The simulated document reader against the document-camera contract: events for documents and
// the reader, captures of the empty glass and of placed pages, per-illumination images and the
// derived UV/IR ones, image files through an injected loader, the sequence mode (a crooked page
// that is then straightened, judged by the capture-quality checks), frame delays with timeouts
// and aborts that name the device and step, one capture at a time, unplug mid-capture, stop.
import { once } from 'node:events';
import t from 'tap';
import { AbortedError, DeviceGoneError, InvalidArgumentError, ParseError, TimeoutError } from '../../src/errors.js';
import { assessCapture } from '../../src/document/capture-quality.js';
import { decodeImage, encodePng, type Image } from '../../src/document/image.js';
import { SimulatedDocumentCamera } from '../../src/devices/document-camera/simulated.js';
import type { DocumentCameraEvents } from '../../src/devices/document-camera/contract.js';
import { goodPage, scene, TD3_PX } from './helpers/document-scenes.js';

const solid = (v: number, channels: 1 | 3 = 3, width = 16, height = 12): Image => ({ width, height, channels, data: Buffer.alloc(width * height * channels, v) });

function recorder(camera: SimulatedDocumentCamera): string[] {
  const log: string[] = [];
  for (const name of ['readerAttached', 'readerDetached', 'documentPlaced', 'documentRemoved'] as const satisfies readonly (keyof DocumentCameraEvents)[]) {
    camera.events.on(name, (e: { device: string }) => log.push(`${name} ${e.device}`));
  }
  return log;
}

t.test('lifecycle and events: constructors do nothing, start reports what is there', async (t) => {
  const camera = new SimulatedDocumentCamera({ name: 'Sim' });
  const log = recorder(camera);
  camera.place({ white: solid(200) });
  t.equal(camera.state, 'stopped');
  t.equal(camera.documentPresent, undefined);
  t.same(log, [], 'nothing before start');
  const life = new AbortController();
  await camera.start(life.signal);
  t.same(log, ['readerAttached Sim', 'documentPlaced Sim']);
  t.equal(camera.documentPresent, true);
  camera.remove();
  t.equal(camera.documentPresent, false);
  camera.detach();
  t.equal(camera.state, 'noReader');
  camera.place({ white: solid(200) });
  t.equal(log.filter((l) => l.startsWith('documentPlaced')).length, 1, 'no document event while unplugged');
  camera.attach();
  t.same(log.slice(-2), ['readerAttached Sim', 'documentPlaced Sim'], 'the document on the glass is reported on re-plug');
  camera.place({ white: solid(100) });
  t.same(log.slice(-2), ['documentRemoved Sim', 'documentPlaced Sim'], 'placing another document takes the first away');
  life.abort();
  await camera.stop();
  t.equal(camera.state, 'stopped');
  await t.rejects(camera.capture(), { name: 'DeviceGoneError', message: /not started/ });
});

t.test('captures: the empty glass, a page, per-illumination images and derived ones', async (t) => {
  const camera = new SimulatedDocumentCamera({ name: 'Sim', resolutionDpi: 200, now: () => new Date('2030-05-06T07:08:09Z') });
  await camera.start(new AbortController().signal);
  t.same(camera.capabilities, { illuminations: ['white', 'uv', 'ir'], presence: 'sensor', resolutionDpi: 200 });
  const empty = await camera.capture();
  t.equal(assessCapture(empty.white).presence, 'none', 'the default empty glass is an empty glass to the checks');
  t.equal(empty.uv, undefined, 'UV only when asked');
  const page = scene({ pages: [goodPage()] });
  const uv = solid(30, 1, page.width, page.height);
  camera.place({ white: page, uv });
  const c = await camera.capture({ illumination: ['ir', 'uv'] });
  t.equal(c.white, page);
  t.equal(c.uv, uv, 'the page’s own UV image');
  t.equal(c.ir?.channels, 1, 'IR derived from white, in grey');
  t.equal(c.ir?.width, page.width);
  t.equal(c.resolutionDpi, 200);
  t.equal(c.device, 'Sim');
  t.same(c.capturedAt, new Date('2030-05-06T07:08:09Z'));
  camera.place({ white: page });
  const d = await camera.capture({ illumination: ['uv'] });
  t.equal(d.uv?.channels, 1);
  t.ok(d.uv!.data.every((v) => v < 20), 'derived UV is dark (a UV-dull substrate)');
  await camera.stop();
});

t.test('a reader without UV/IR lamps refuses them', async (t) => {
  const camera = new SimulatedDocumentCamera({ illuminations: ['white'] });
  await camera.start(new AbortController().signal);
  t.same(camera.capabilities.illuminations, ['white']);
  await t.rejects(camera.capture({ illumination: ['uv'] }), InvalidArgumentError);
  t.equal(camera.capturesServed, 0, 'nothing was captured');
  const ir = new SimulatedDocumentCamera({ illuminations: ['ir'] });
  t.same(ir.capabilities.illuminations, ['white', 'ir'], 'white is always there');
  await camera.stop();
});

t.test('image files go through the loader; a bad file is a ParseError at capture', async (t) => {
  const page = solid(180);
  const files = new Map<string, Buffer>([
    ['/pages/td3.png', encodePng(page)],
    ['/pages/broken.png', Buffer.from('not an image')],
  ]);
  const load = async (path: string): Promise<Image> => {
    const bytes = files.get(path);
    if (!bytes) throw new ParseError(path, 'no such file');
    return decodeImage(bytes, 'page');
  };
  const camera = new SimulatedDocumentCamera({ load });
  await camera.start(new AbortController().signal);
  camera.place({ white: '/pages/td3.png' });
  const c = await camera.capture();
  t.same(c.white.data, page.data, 'decoded pixels');
  camera.place({ white: '/pages/broken.png' });
  await t.rejects(camera.capture(), ParseError);
  t.throws(() => {
    camera.place({ white: { width: 4, height: 4, channels: 3, data: Buffer.alloc(5) } });
  }, InvalidArgumentError);
  t.throws(() => {
    camera.place([]);
  }, InvalidArgumentError);
  await camera.stop();
});

t.test('sequence mode: the page is placed crooked, then straightened', async (t) => {
  const small = { width: TD3_PX.width * 0.7, height: TD3_PX.height * 0.7 };
  const crooked = scene({ pages: [goodPage({ ...small, angleDeg: 22 })] });
  const straight = scene({ pages: [goodPage({ ...small, angleDeg: 1 })] });
  const camera = new SimulatedDocumentCamera();
  const log = recorder(camera);
  await camera.start(new AbortController().signal);
  camera.place([{ white: crooked }, { white: straight }]);
  const first = assessCapture((await camera.capture()).white);
  t.same(first.guidance, ['straightenDocument']);
  const second = assessCapture((await camera.capture()).white);
  t.ok(second.ok, 'straightened');
  const third = await camera.capture();
  t.equal(third.white, straight, 'the last page repeats');
  t.equal(log.filter((l) => l.startsWith('documentPlaced')).length, 1, 'one document throughout the sequence');
  camera.place([{ white: crooked }, { white: straight }]);
  camera.advance();
  t.equal((await camera.capture()).white, straight, 'advance() moves on without a capture');
  t.equal(camera.capturesServed, 4);
  await camera.stop();
});

t.test('frame delay: timeouts and aborts name the device and step; one capture at a time', async (t) => {
  const times: number[] = [];
  const camera = new SimulatedDocumentCamera({
    name: 'Sim',
    frameDelayMs: 40,
    now: () => {
      times.push(Date.now());
      return new Date();
    },
  });
  await camera.start(new AbortController().signal);
  camera.place({ white: solid(200) });
  const err = await camera.capture({ timeoutMs: 60, illumination: ['uv'] }).catch((e: unknown) => e);
  t.ok(err instanceof TimeoutError);
  t.equal((err as Error).message, 'Timeout after 60ms [device=Sim step=capture.uv illumination=white,uv]', 'it was in the UV exposure');
  const ac = new AbortController();
  const p = camera.capture({ signal: ac.signal });
  setTimeout(() => ac.abort(), 10);
  const aborted = await p.catch((e: unknown) => e);
  t.ok(aborted instanceof AbortedError);
  t.match((aborted as Error).message, /device=Sim step=capture.white/);
  times.length = 0;
  const both = await Promise.all([camera.capture(), camera.capture()]);
  t.equal(both.length, 2);
  t.ok(times[1]! - times[0]! >= 35, `the second exposure waited for the first (${times[1]! - times[0]!} ms apart)`);
  await camera.stop();
});

t.test('unplug during a capture fails it with DeviceGoneError; waitForDocument', async (t) => {
  const camera = new SimulatedDocumentCamera({ name: 'Sim', frameDelayMs: 50 });
  const log = recorder(camera);
  await camera.start(new AbortController().signal);
  const waiting = camera.waitForDocument({ timeoutMs: 1000 });
  camera.place({ white: solid(200) });
  await waiting;
  await camera.waitForDocument();
  const p = camera.capture();
  setTimeout(() => camera.detach(), 10);
  await t.rejects(p, { name: 'DeviceGoneError', message: 'Sim: camera unplugged' });
  t.same(log.slice(-2), ['documentRemoved Sim', 'readerDetached Sim']);
  await t.rejects(camera.capture(), DeviceGoneError);
  const attached = once(camera.events, 'readerAttached');
  camera.attach();
  await attached;
  t.equal((await camera.capture()).white.data[0], 200, 'captures work again after re-plug');
  camera.remove();
  await t.rejects(camera.waitForDocument({ timeoutMs: 20 }), { name: 'TimeoutError', message: /device=Sim step=waitForDocument/ });
  await camera.stop();
});

t.test('stop while a capture runs fails it; a second stop waits for the same end', async (t) => {
  const camera = new SimulatedDocumentCamera({ name: 'Sim', frameDelayMs: 30 });
  await camera.start(new AbortController().signal);
  const p = camera.capture();
  await new Promise((r) => setTimeout(r, 5));
  const a = camera.stop();
  const b = camera.stop();
  await t.rejects(p, { name: 'DeviceGoneError', message: /camera stopped/ });
  await Promise.all([a, b]);
  t.equal(camera.state, 'stopped');
});
