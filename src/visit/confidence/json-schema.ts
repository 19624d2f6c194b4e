// A validator for the subset of JSON Schema 2020-12 the identity record's schema uses: type,
// const, enum, properties, required, additionalProperties, items, min/maxItems, min/maxLength,
// pattern, minimum/maximum (and exclusive forms), oneOf, anyOf, allOf and local `$ref`s into
// `$defs`. A keyword outside the subset is refused when the validator meets it, so the schema
// cannot say more than is checked. The package has no schema library as a dependency (the
// report asks for Ajv if the back office wants the full vocabulary).
//
// The input is untrusted (a record read back from the outbox or received by the back office):
// depth and error count are bounded, and nothing here throws on bad data — only on a bad schema.
import { InvalidArgumentError } from '../../errors.js';

export type JsonType = 'null' | 'boolean' | 'object' | 'array' | 'number' | 'integer' | 'string';

export interface JsonSchema {
  readonly $schema?: string;
  readonly $id?: string;
  readonly $ref?: string;
  readonly $defs?: Readonly<Record<string, JsonSchema>>;
  readonly title?: string;
  readonly description?: string;
  readonly type?: JsonType | readonly JsonType[];
  readonly const?: string | number | boolean | null;
  readonly enum?: readonly (string | number | boolean | null)[];
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean | JsonSchema;
  readonly items?: JsonSchema;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly exclusiveMaximum?: number;
  readonly oneOf?: readonly JsonSchema[];
  readonly anyOf?: readonly JsonSchema[];
  readonly allOf?: readonly JsonSchema[];
}

const KNOWN = new Set([
  '$schema', '$id', '$ref', '$defs', 'title', 'description', 'type', 'const', 'enum', 'properties', 'required', 'additionalProperties',
  'items', 'minItems', 'maxItems', 'minLength', 'maxLength', 'pattern', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum',
  'oneOf', 'anyOf', 'allOf',
]);
const MAX_DEPTH = 48;
const MAX_ERRORS = 50;

export interface SchemaError {
  /** JSON Pointer (RFC 6901) into the instance. */
  readonly path: string;
  readonly message: string;
}

/** Every way `value` departs from `schema` (up to 50), or an empty list. */
export function validateJsonSchema(schema: JsonSchema, value: unknown): SchemaError[] {
  const ctx: Ctx = { root: schema, errors: [], patterns: new Map() };
  check(ctx, schema, value, '', 0);
  return ctx.errors;
}

interface Ctx {
  readonly root: JsonSchema;
  readonly errors: SchemaError[];
  readonly patterns: Map<string, RegExp>;
}

function typeOf(v: unknown): JsonType | 'other' {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isFinite(v) ? (Number.isInteger(v) ? 'integer' : 'number') : 'other';
  if (typeof v === 'string' || typeof v === 'boolean') return typeof v as 'string' | 'boolean';
  if (typeof v === 'object') return 'object';
  return 'other';
}

function codePoints(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

const escapePointer = (k: string): string => k.replace(/~/g, '~0').replace(/\//g, '~1');

function check(ctx: Ctx, s: JsonSchema, v: unknown, path: string, depth: number): void {
  if (ctx.errors.length >= MAX_ERRORS) return;
  const fail = (message: string): void => {
    if (ctx.errors.length < MAX_ERRORS) ctx.errors.push({ path, message });
  };
  if (depth > MAX_DEPTH) {
    fail('nested too deeply');
    return;
  }
  for (const k of Object.keys(s)) if (!KNOWN.has(k)) throw new InvalidArgumentError('schema keyword', `one of the supported keywords`, k);

  if (s.$ref !== undefined) check(ctx, resolve(ctx.root, s.$ref), v, path, depth + 1);

  const t = typeOf(v);
  if (s.type !== undefined) {
    const allowed: readonly JsonType[] = typeof s.type === 'string' ? [s.type] : s.type;
    const ok = allowed.some((a) => a === t || (a === 'number' && t === 'integer'));
    if (!ok) {
      fail(`expected ${allowed.join(' or ')}, got ${t}`);
      return;
    }
  }
  if (s.const !== undefined && v !== s.const) fail(`expected ${JSON.stringify(s.const)}`);
  if (s.enum !== undefined && !s.enum.some((e) => e === v)) fail(`expected one of ${s.enum.map((e) => JSON.stringify(e)).join(', ')}`);

  if (typeof v === 'string') {
    const n = codePoints(v); // JSON Schema counts length in code points
    if (s.minLength !== undefined && n < s.minLength) fail(`shorter than ${s.minLength}`);
    if (s.maxLength !== undefined && n > s.maxLength) fail(`longer than ${s.maxLength}`);
    if (s.pattern !== undefined && !pattern(ctx, s.pattern).test(v)) fail(`does not match ${s.pattern}`);
  }
  if (typeof v === 'number' && Number.isFinite(v)) {
    if (s.minimum !== undefined && v < s.minimum) fail(`below ${s.minimum}`);
    if (s.maximum !== undefined && v > s.maximum) fail(`above ${s.maximum}`);
    if (s.exclusiveMinimum !== undefined && v <= s.exclusiveMinimum) fail(`not above ${s.exclusiveMinimum}`);
    if (s.exclusiveMaximum !== undefined && v >= s.exclusiveMaximum) fail(`not below ${s.exclusiveMaximum}`);
  }
  if (Array.isArray(v)) {
    if (s.minItems !== undefined && v.length < s.minItems) fail(`fewer than ${s.minItems} items`);
    if (s.maxItems !== undefined && v.length > s.maxItems) {
      fail(`more than ${s.maxItems} items`);
      return;
    }
    if (s.items !== undefined) {
      const items = s.items;
      v.forEach((x: unknown, i) => { check(ctx, items, x, `${path}/${i}`, depth + 1); });
    }
  }
  if (t === 'object') objectKeywords(ctx, s, v as Readonly<Record<string, unknown>>, path, depth, fail);

  if (s.allOf) for (const sub of s.allOf) check(ctx, sub, v, path, depth + 1);
  for (const [word, subs] of [['anyOf', s.anyOf], ['oneOf', s.oneOf]] as const) {
    if (!subs) continue;
    const results = subs.map((sub) => subErrors(ctx, sub, v, path, depth));
    const n = results.filter((r) => r.length === 0).length;
    if (n === 0) {
      // Report the branch that came closest (for a union tagged by `kind`, the branch of that
      // kind), so that the error names the field at fault rather than just "no branch".
      const closest = results.reduce((a, b) => (b.length < a.length ? b : a));
      fail(`matches none of ${word}`);
      for (const e of closest) if (ctx.errors.length < MAX_ERRORS) ctx.errors.push(e);
    } else if (word === 'oneOf' && n > 1) fail('matches more than one of oneOf');
  }
}

function objectKeywords(ctx: Ctx, s: JsonSchema, o: Readonly<Record<string, unknown>>, path: string, depth: number, fail: (m: string) => void): void {
  for (const r of s.required ?? []) if (!Object.hasOwn(o, r)) fail(`missing required property "${r}"`);
  for (const [k, x] of Object.entries(o)) {
    const sub = s.properties?.[k];
    const p = `${path}/${escapePointer(k)}`;
    if (sub) check(ctx, sub, x, p, depth + 1);
    else if (s.additionalProperties === false) fail(`unexpected property "${k.length > 40 ? `${k.slice(0, 40)}…` : k}"`);
    else if (typeof s.additionalProperties === 'object') check(ctx, s.additionalProperties, x, p, depth + 1);
  }
}

function subErrors(ctx: Ctx, s: JsonSchema, v: unknown, path: string, depth: number): SchemaError[] {
  const sub: Ctx = { root: ctx.root, errors: [], patterns: ctx.patterns };
  check(sub, s, v, path, depth + 1);
  return sub.errors;
}

function pattern(ctx: Ctx, p: string): RegExp {
  let re = ctx.patterns.get(p);
  if (!re) {
    re = new RegExp(p, 'u');
    ctx.patterns.set(p, re);
  }
  return re;
}

function resolve(root: JsonSchema, ref: string): JsonSchema {
  const m = /^#\/\$defs\/([A-Za-z0-9_-]+)$/.exec(ref);
  const target = m?.[1] !== undefined ? root.$defs?.[m[1]] : undefined;
  if (!target) throw new InvalidArgumentError('schema $ref', 'a reference to #/$defs/<name> that exists', ref);
  return target;
}
