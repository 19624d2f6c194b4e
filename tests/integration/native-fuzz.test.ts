// Bounded libFuzzer runs of the native parsing and arithmetic code and of the matcher's gallery files (CMakeLists.txt, clang with
// AddressSanitizer and UBSan). Each run must end without a crash or sanitizer report.
import t from 'tap';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

const root = new URL('../..', import.meta.url).pathname;
const build = join(root, 'build-fuzz');
const RUNS = Number(process.env.KIOSK_FUZZ_RUNS ?? 200000);
const SECONDS = Number(process.env.KIOSK_FUZZ_SECONDS ?? 15);

t.before(() => {
  if (!existsSync(join(build, 'CMakeCache.txt'))) {
    execFileSync('cmake', ['-S', root, '-B', build, '-DCMAKE_CXX_COMPILER=clang++', '-DKIOSK_FUZZ=ON'], { stdio: 'ignore' });
  }
  execFileSync('cmake', ['--build', build, '-j2'], { stdio: 'ignore' });
});

for (const target of ['fuzz_iso9796', 'fuzz_ec', 'fuzz_gallery_file']) {
  t.test(`${target}: ${RUNS} runs or ${SECONDS}s without a crash`, async (t) => {
    const corpus = mkdtempSync(join(tmpdir(), `${target}-`));
    t.teardown(() => { rmSync(corpus, { recursive: true, force: true }); });
    const r = spawnSync(join(build, target), [`-runs=${RUNS}`, `-max_total_time=${SECONDS}`, '-seed=1', corpus], {
      encoding: 'utf8',
      timeout: (SECONDS + 60) * 1000,
    });
    const done = /Done (\d+) runs/.exec(r.stderr);
    t.equal(r.status, 0, `${target} exited cleanly`);
    t.ok(done && Number(done[1]) > 1000, `${target} ran ${done?.[1] ?? 0} inputs`);
  });
}
