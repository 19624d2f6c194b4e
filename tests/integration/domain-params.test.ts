// The committed table of standardized domain parameters (src/mrtd/params/standard.ts) against
// OpenSSL's built-in definitions, so that a typo in a constant cannot go unnoticed.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { STANDARD_DOMAINS } from '../../src/mrtd/params/standard.js';
import { CURVE_NAMES } from '../../src/mrtd/params/domains.js';

const asn1 = (input: Buffer): string[] => execFileSync('openssl', ['asn1parse'], { input }).toString().split('\n');
const values = (lines: string[], kind: string): string[] => lines.filter((l) => l.includes(kind)).map((l) => l.split(':').pop()!.trim());

t.test('EC curves equal OpenSSL explicit parameters', async (t) => {
  for (const d of STANDARD_DOMAINS) {
    if (d.kind !== 'EC') continue;
    const openssl = CURVE_NAMES.find((c) => c.name === d.name)!.openssl;
    const lines = asn1(execFileSync('openssl', ['ecparam', '-name', openssl, '-param_enc', 'explicit']));
    const ints = values(lines, 'INTEGER');
    const oct = values(lines, 'OCTET STRING');
    t.same([ints[1], ints[2], ints[3]], [d.p, d.n, d.h], `${d.name}: p, n, h`);
    t.same([oct[0], oct[1], oct[2]], [d.a, d.b, `04${d.gx}${d.gy}`], `${d.name}: a, b, G`);
  }
});

t.test('RFC 5114 groups equal OpenSSL dh_rfc5114', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'dh-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (const d of STANDARD_DOMAINS) {
    if (d.kind !== 'DH') continue;
    const f = join(dir, `${d.id}.pem`);
    execFileSync('openssl', ['genpkey', '-genparam', '-algorithm', 'DHX', '-pkeyopt', `dh_rfc5114:${d.id + 1}`, '-out', f]);
    t.same(values(asn1(readFileSync(f)), 'INTEGER').slice(0, 3), [d.p, d.g, d.q], `group ${d.id}`);
  }
});
