// The logger never prints personal data: Sensitive values are redacted wherever they end up,
// and MRZ-shaped text is blanked even when a caller forgot to wrap it.
import t from 'tap';
import { inspect } from 'node:util';
import { LineLogger, Sensitive, redact } from '../../src/log.js';

const lines: string[] = [];
const log = new LineLogger({ level: 'debug', write: (l) => lines.push(l), now: () => new Date(0) });

t.test('Sensitive values print as [redacted] in every form', async (t) => {
  const s = new Sensitive('ERIKSSON');
  t.equal(String(s), '[redacted]');
  t.equal(s.toString(), '[redacted]');
  t.equal(JSON.stringify({ name: s }), '{"name":"[redacted]"}');
  t.equal(inspect({ name: s }), "{ name: [redacted] }");
  t.equal(s.reveal(), 'ERIKSSON');
  log.info('kiosk:test', 'read', { name: s });
  t.match(lines.at(-1), /name=\[redacted\]$/);
});

t.test('MRZ-shaped text is blanked in messages and fields', async (t) => {
  const mrz2 = 'L898902C36UTO7408122F1204159ZE184226B<<<<<10';
  const info = 'L898902C3674081221204159';
  t.notMatch(redact(`line ${mrz2}`), /L898902C3/);
  t.notMatch(redact(`info ${info}`), /L898902C3/);
  t.equal(redact('plain words stay as they are: READ BINARY DG2 offset 4096'), 'plain words stay as they are: READ BINARY DG2 offset 4096');
  log.warn('kiosk:test', () => `oops ${info}`, { mrz: 'P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<' });
  t.notMatch(lines.at(-1), /L898902C3|ERIKSSON/);
});

t.test('levels filter and lazy messages are not built when filtered', async (t) => {
  const out: string[] = [];
  const quiet = new LineLogger({ level: 'warn', write: (l) => out.push(l) });
  let built = false;
  quiet.debug('kiosk:test', () => {
    built = true;
    return 'x';
  });
  t.equal(built, false);
  t.equal(out.length, 0);
  quiet.error('kiosk:test', 'bad', { code: 'X', n: 3, ok: false, gone: undefined });
  t.match(out[0], / error kiosk:test bad code="X" n=3 ok=false$/);
});
