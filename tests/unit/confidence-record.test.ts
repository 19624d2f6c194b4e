// The identity record: built from evidence, valid against its JSON Schema, canonical bytes for
// signing (RFC 8785), and refused when tampered with or carrying what it must not (images).
import t from 'tap';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { InvalidArgumentError } from '../../src/errors.js';
import { canonicalJson } from '../../src/visit/confidence/canonical.js';
import { validateJsonSchema, type JsonSchema } from '../../src/visit/confidence/json-schema.js';
import { buildIdentityRecord, canonicalRecord, validateIdentityRecord, type IdentityRecord } from '../../src/visit/confidence/record.js';
import { IDENTITY_RECORD_SCHEMA } from '../../src/visit/confidence/record-schema.js';
import { RULES_V1 } from '../../src/visit/confidence/rules.js';
import type { Evidence } from '../../src/visit/evidence.js';
import { visitArb } from './confidence-arbitraries.js';
import { AT, clock, face, genuineVisit, ofKind, swap } from './confidence-builders.js';

const ctx = { recordId: 'rec-0001', visitId: 'visit-2025-03-01-0042', kioskId: 'kiosk-hel-03' };
const plain = (r: IdentityRecord): Record<string, unknown> => JSON.parse(JSON.stringify(r)) as Record<string, unknown>;

t.test('RFC 8785 §3.2.3: members sorted by UTF-16 code units', async (t) => {
  // The property names of the RFC's sorting example, given here in a scrambled order.
  const input = { '\u20ac': 'Euro Sign', '\r': 'Carriage Return', '\ufb33': 'Hebrew Letter Dalet With Dagesh', '1': 'One', '\ud83d\ude00': 'Emoji: Grinning Face', '\u0080': 'Control', '\u00f6': 'Latin Small Letter O With Diaeresis' };
  const keys = Object.keys(JSON.parse(canonicalJson(input)) as object);
  // Integer-like keys come first in any JS object's own order; compare the serialised order instead.
  const order = ['\r', '1', '\u0080', '\u00f6', '\u20ac', '\ud83d\ude00', '\ufb33'];
  const text = canonicalJson(input);
  const positions = order.map((k) => text.indexOf(JSON.stringify(k)));
  t.same(positions, [...positions].sort((a, b) => a - b), 'the RFC\'s expected order');
  t.equal(keys.length, 7);
});

t.test('RFC 8785 §3.2.2: literals, numbers and strings as ECMAScript writes them, no whitespace', async (t) => {
  // Values from the RFC's §3.2.2 example.
  // 333333333.33333329 is written as text because no double holds it exactly (that is the point).
  const input = { numbers: [Number('333333333.33333329'), 1e30, 4.50, 2e-3, 0.000000000000000000000000001], string: '\u20ac$\u000f\u000aA\'\u0042\u0022\u005c\\"/', literals: [null, true, false] };
  t.equal(canonicalJson(input), '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}');
  t.equal(canonicalJson({ b: { d: 1, c: [2, { f: 0, e: -0 }] }, a: 'x' }), '{"a":"x","b":{"c":[2,{"e":0,"f":0}],"d":1}}');
});

t.test('canonical JSON refuses what I-JSON does not allow', async (t) => {
  t.throws(() => canonicalJson({ a: Number.NaN }), InvalidArgumentError);
  t.throws(() => canonicalJson({ a: Infinity }), InvalidArgumentError);
  t.throws(() => canonicalJson({ a: '\ud800' }), InvalidArgumentError, 'lone high surrogate');
  t.throws(() => canonicalJson({ a: 'x\udc00' }), InvalidArgumentError, 'lone low surrogate');
  t.throws(() => canonicalJson([undefined]), InvalidArgumentError);
  t.throws(() => canonicalJson({ a: 1n }), InvalidArgumentError);
  t.throws(() => canonicalJson({ a: new Date(0) }), InvalidArgumentError, 'not a plain object');
  t.throws(() => canonicalJson({ a: Buffer.from('image') }), InvalidArgumentError, 'no buffers');
  let deep: unknown = 1;
  for (let i = 0; i < 100; i++) deep = [deep];
  t.throws(() => canonicalJson(deep), InvalidArgumentError, 'depth bound');
});

t.test('a record from a genuine visit', async (t) => {
  const r = buildIdentityRecord(ctx, genuineVisit(), RULES_V1, clock);
  t.equal(r.schema, 'identity-record');
  t.equal(r.schemaVersion, 1);
  t.equal(r.createdAt, AT);
  t.equal(r.assessment.assessedAt, AT, 'one clock reading for both');
  t.equal(r.assessment.level, 'verified');
  t.equal(r.evidence.length, genuineVisit().length);
  t.same(validateJsonSchema(IDENTITY_RECORD_SCHEMA, plain(r)), []);
  t.ok(validateIdentityRecord(plain(r)).ok);
  const bytes = canonicalRecord(r);
  t.equal(bytes.toString('utf8'), canonicalJson(JSON.parse(bytes.toString('utf8'))), 'canonical bytes are a fixed point');
  t.notOk(bytes.toString('utf8').includes(' '), 'no whitespace outside strings');
});

t.test('the evidence summary leaves behind what an engine attached by mistake', async (t) => {
  const leaky = { ...face('pass'), image: Buffer.from('jpeg bytes'), template: [1, 2, 3] } as unknown as Evidence;
  const r = buildIdentityRecord(ctx, swap(genuineVisit(), ofKind('face-1to1'), leaky), RULES_V1, clock);
  const f = r.evidence.find((e) => e.kind === 'face-1to1') as unknown as Record<string, unknown>;
  t.notOk('image' in f);
  t.notOk('template' in f);
  // The schema refuses such a record outright.
  const bad = plain(r);
  (bad.evidence as Record<string, unknown>[]).push({ ...face('pass', { id: 'f2' }), image: 'base64…' });
  const v = validateIdentityRecord(bad);
  t.notOk(v.ok);
  if (!v.ok) t.ok(v.errors.some((e) => e.includes('unexpected property "image"')), v.errors.join('; '));
});

t.test('tampered or inconsistent records are refused', async (t) => {
  const good = () => plain(buildIdentityRecord(ctx, swap(genuineVisit(), ofKind('face-1to1'), face('fail')), RULES_V1, clock));
  const refuse = (mutate: (r: Record<string, unknown> & { assessment: Record<string, unknown>; evidence: Record<string, unknown>[] }) => void, what: string) => {
    const r = good() as Record<string, unknown> & { assessment: Record<string, unknown>; evidence: Record<string, unknown>[] };
    mutate(r);
    const v = validateIdentityRecord(r);
    t.notOk(v.ok, what);
  };
  t.ok(validateIdentityRecord(good()).ok, 'the untouched record is valid');
  refuse((r) => { r.assessment.level = 'verified'; }, 'level raised');
  refuse((r) => { r.assessment.riskIndicators = []; }, 'risk indicators dropped');
  refuse((r) => { r.evidence = r.evidence.filter((e) => e.kind !== 'face-1to1'); }, 'the failing evidence removed');
  refuse((r) => { (r.evidence.find((e) => e.kind === 'face-1to1')!).result = 'pass'; }, 'a failure turned into a pass');
  refuse((r) => { r.schemaVersion = 2; }, 'unknown schema version');
  refuse((r) => { delete r.visitId; }, 'missing visit id');
  refuse((r) => { r.mrz = 'P<UTO…'; }, 'personal data added at the top');
  refuse((r) => { r.createdAt = '1 March 2025'; }, 'timestamp format');
  refuse((r) => { r.evidence.push({ ...r.evidence[0], id: r.evidence[0]!.id }); }, 'duplicate evidence id');
  refuse((r) => { (r.assessment.reasons as Record<string, unknown>[])[0]!.evidence = ['nowhere']; }, 'a reason citing missing evidence');
  refuse((r) => { r.assessment.ruleTableVersion = 'identity-confidence/x'; }, 'malformed table version');
  // Under a table the validator does not know, only the schema and the internal checks apply.
  const r = good() as { assessment: Record<string, unknown> };
  r.assessment.ruleTableVersion = 'identity-confidence/99';
  t.ok(validateIdentityRecord(r).ok, 'an unknown table version is not re-assessed');
});

t.test('generated visits make records that validate, survive JSON and canonicalise stably', async (t) => {
  fc.assert(fc.property(visitArb, (ev) => {
    const r = buildIdentityRecord(ctx, ev, RULES_V1, clock);
    const wire = JSON.parse(canonicalRecord(r).toString('utf8')) as unknown;
    const v = validateIdentityRecord(wire);
    return v.ok && canonicalJson(wire) === canonicalRecord(r).toString('utf8');
  }), { numRuns: 500 });
  t.pass();
});

t.test('generated mutations of a record are caught by the schema', async (t) => {
  const base = plain(buildIdentityRecord(ctx, genuineVisit(), RULES_V1, clock));
  const paths = collectObjectPaths(base);
  fc.assert(fc.property(fc.constantFrom(...paths), fc.constantFrom('extra', 'wrong-type'), (path, how) => {
    const copy = JSON.parse(JSON.stringify(base)) as Record<string, unknown>;
    const target = path.reduce<Record<string, unknown>>((o, k) => o[k] as Record<string, unknown>, copy);
    const keys = Object.keys(target);
    if (how === 'extra' || keys.length === 0) target.photo = 'data:image/jpeg;base64,AAAA';
    else target[keys[0]!] = { unexpected: true };
    return validateJsonSchema(IDENTITY_RECORD_SCHEMA, copy).length > 0;
  }), { numRuns: 300 });
  t.pass();
});

t.test('docs/identity-record.schema.json is the schema object written out', async (t) => {
  const file = readFileSync(new URL('../../docs/identity-record.schema.json', import.meta.url), 'utf8');
  t.equal(file, `${JSON.stringify(IDENTITY_RECORD_SCHEMA, null, 2)}\n`, 'regenerate with: npx tsx -e "import(\'./src/visit/confidence/record-schema.ts\').then((m) => process.stdout.write(JSON.stringify(m.IDENTITY_RECORD_SCHEMA, null, 2) + \'\\n\'))" > docs/identity-record.schema.json');
});

t.test('the schema validator itself: keywords, bounds, and refusal of what it does not implement', async (t) => {
  const s: JsonSchema = { type: 'object', properties: { a: { type: 'integer', minimum: 1 }, b: { type: 'string', maxLength: 2, pattern: '^[a-z]+$' } }, required: ['a'], additionalProperties: false };
  t.same(validateJsonSchema(s, { a: 1, b: 'ok' }), []);
  t.same(validateJsonSchema(s, { a: 0 }).map((e) => e.path), ['/a']);
  t.same(validateJsonSchema(s, { a: 1.5 }).map((e) => e.path), ['/a']);
  t.same(validateJsonSchema(s, { a: 1, b: 'abc' }).map((e) => e.path), ['/b']);
  t.same(validateJsonSchema(s, { a: 1, b: 'A' }).map((e) => e.path), ['/b']);
  t.same(validateJsonSchema(s, { b: 'a' }).map((e) => e.message), ['missing required property "a"']);
  t.same(validateJsonSchema(s, [1]).map((e) => e.message), ['expected object, got array']);
  t.same(validateJsonSchema({ type: 'string', maxLength: 1 }, '\ud83d\ude00'), [], 'length counts code points');
  t.equal(validateJsonSchema({ oneOf: [{ type: 'number' }, { type: 'integer' }] }, 3).length, 1, 'oneOf with two matches fails');
  t.throws(() => validateJsonSchema({ format: 'date-time' } as unknown as JsonSchema, 'x'), InvalidArgumentError, 'unsupported keyword refused');
  t.throws(() => validateJsonSchema({ $ref: '#/$defs/missing' }, 1), InvalidArgumentError);
  const many = Array.from({ length: 1000 }, () => ({ x: 1 }));
  t.ok(validateJsonSchema({ type: 'array', items: { type: 'string' } }, many).length <= 50, 'errors bounded');
  let deep: unknown = 1;
  for (let i = 0; i < 200; i++) deep = [deep];
  const loop: JsonSchema = { $defs: { n: { anyOf: [{ type: 'integer' }, { type: 'array', items: { $ref: '#/$defs/n' } }] } }, $ref: '#/$defs/n' };
  t.ok(validateJsonSchema(loop, deep).length > 0, 'depth bounded');
});

function collectObjectPaths(v: unknown, path: string[] = [], out: string[][] = []): string[][] {
  if (v !== null && typeof v === 'object') {
    if (!Array.isArray(v)) out.push(path);
    for (const [k, x] of Object.entries(v)) collectObjectPaths(x, [...path, k], out);
  }
  return out;
}
