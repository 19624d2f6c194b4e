// The chip conformance interface (CONFORMANCE.md) checked from outside, the way a test
// laboratory checks an inspection system: the shared checker script against `kioskctl`, on the
// published examples. Prefers ../shared/mrtd when it is there, else the copies in fixtures.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const shared = fileURLToPath(new URL('../../../shared/mrtd/check-conformance', import.meta.url));
const copy = fileURLToPath(new URL('../fixtures/mrtd/check-conformance', import.meta.url));

t.test('check-conformance passes every published example', async (t) => {
  t.ok(existsSync(`${root}dist/src/cli/kioskctl.js`), 'kioskctl is built (npm test builds it first)');
  const script = existsSync(shared) ? shared : copy;
  const r = spawnSync('bash', [script], { cwd: root, encoding: 'utf8', timeout: 300000 });
  const lines = r.stdout.split('\n').filter((l) => /^(PASS|FAIL) /.test(l));
  t.ok(lines.length >= 10, `${lines.length} examples checked (${script === shared ? 'shared' : 'fixture copy'})`);
  for (const l of lines) t.ok(l.startsWith('PASS'), l);
  t.equal(r.status, 0, 'checker exit status');
});
