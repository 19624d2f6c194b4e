import t from 'tap';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseLdsSecurityObject, encodeLdsSecurityObject, dataGroupHash } from '../../src/mrtd/lds/sod-content.js';
import { OID } from '../../src/mrtd/lds/oids.js';
import { children, parseSingle, type Tlv } from '../../src/mrtd/tlv.js';
import { der } from '../../src/mrtd/asn1.js';
import { ParseError } from '../../src/errors.js';

const dir = new URL('../fixtures/mrtd/examples/passports/genuine/', import.meta.url);
const file = (n: string): Buffer => readFileSync(new URL(n, dir));

/** eContent of EF.SOD: 77 → ContentInfo → [0] → SignedData → encapContentInfo → [0] → OCTET STRING (RFC 5652 §5.1–5.2). */
function eContent(sod: Buffer): Buffer {
  const kid = (t: Tlv, i: number): Tlv => children(t)[i]!;
  const signedData = kid(kid(kid(parseSingle(sod), 0), 1), 0);
  const encap = kid(signedData, 2);
  return kid(kid(encap, 1), 0).value;
}

t.test('genuine EF.SOD eContent: v0, SHA-256, hashes of DG1, DG2, DG14, DG15 that match the files', async (t) => {
  const bytes = eContent(file('EF.SOD'));
  const so = parseLdsSecurityObject(bytes);
  t.equal(so.version, 0);
  t.equal(so.hashAlgorithm.algorithm, OID.sha256);
  t.equal(so.hashName, 'SHA-256');
  t.same(so.dataGroupHashes.map((h) => h.dataGroup), [1, 2, 14, 15]);
  for (const [dg, name] of [[1, 'DG1'], [2, 'DG2'], [14, 'DG14'], [15, 'DG15']] as const) {
    t.same(dataGroupHash(so, dg), createHash('sha256').update(file(name)).digest(), `${name} hash`);
  }
  t.equal(dataGroupHash(so, 3), undefined);
  t.equal(so.ldsVersionInfo, undefined);
  t.ok(encodeLdsSecurityObject(so).equals(bytes), 're-encodes byte for byte');
});

t.test('LDS 1.8: v1 with ldsVersionInfo round trip', async (t) => {
  const v = {
    hashAlgorithm: { algorithm: OID.sha1, parameters: der.null() },
    dataGroupHashes: [{ dataGroup: 1 as const, hash: Buffer.alloc(20, 1) }, { dataGroup: 2 as const, hash: Buffer.alloc(20, 2) }],
    ldsVersionInfo: { ldsVersion: '0108', unicodeVersion: '040000' },
  };
  const back = parseLdsSecurityObject(encodeLdsSecurityObject(v));
  t.same(back, { version: 1, hashName: 'SHA-1', ...v });
});

t.test('malformed security objects are ParseErrors', async (t) => {
  const alg = der.seq(der.oid(OID.sha256));
  const h = (n: number, len = 32) => der.seq(der.int(n), der.octets(Buffer.alloc(len)));
  const cases: [string, Buffer][] = [
    ['version 2', der.seq(der.int(2), alg, der.seq(h(1)))],
    ['v1 without version info', der.seq(der.int(1), alg, der.seq(h(1)))],
    ['v0 with version info', der.seq(der.int(0), alg, der.seq(h(1)), der.seq(der.printable('0108'), der.printable('040000')))],
    ['DG 17', der.seq(der.int(0), alg, der.seq(h(17)))],
    ['DG 0', der.seq(der.int(0), alg, der.seq(h(0)))],
    ['duplicate DG', der.seq(der.int(0), alg, der.seq(h(1), h(1)))],
    ['short SHA-256 hash', der.seq(der.int(0), alg, der.seq(h(1, 20)))],
    ['no hashes', der.seq(der.int(0), alg, der.seq())],
    ['hash not OCTET STRING', der.seq(der.int(0), alg, der.seq(der.seq(der.int(1), der.int(5))))],
    ['two elements', der.seq(der.int(0), alg)],
    ['trailing bytes', Buffer.concat([der.seq(der.int(0), alg, der.seq(h(1))), Buffer.from([0])])],
  ];
  for (const [name, bytes] of cases) t.throws(() => parseLdsSecurityObject(bytes), ParseError, name);
  t.ok(parseLdsSecurityObject(der.seq(der.int(0), der.seq(der.oid('1.2.3')), der.seq(h(1, 7)))).hashName === undefined, 'unknown hash accepted, unnamed');
});
