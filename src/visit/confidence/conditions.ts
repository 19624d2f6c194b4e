// Conditions of the rule table, as data: which evidence items a rule looks for. Data rather than
// functions so that the table can be rendered into the README, shipped beside the record, and
// checked (a selector can only name attributes and codes the evidence types have).
//
// `has` holds when some item matches; `lacks` when none does. There is no general negation:
// "has not passed" is written `lacks {result: pass}`, which keeps missing evidence from ever
// reading as a pass, and keeps every rule monotone (see assess.ts).
import { InvalidArgumentError } from '../../errors.js';
import { KIND_ATTRIBUTES, type CheckResult, type Evidence, type EvidenceKind, type EvidenceOf } from '../evidence.js';

type AttrKey<K extends EvidenceKind> = (typeof KIND_ATTRIBUTES)[K][number];
type OneOrMany<T> = T | readonly T[];

export type Selector = {
  readonly [K in EvidenceKind]: {
    readonly kind: K;
    readonly result?: OneOrMany<CheckResult>;
    readonly code?: OneOrMany<NonNullable<EvidenceOf<K>['code']>>;
    readonly where?: { readonly [P in AttrKey<K>]?: OneOrMany<NonNullable<EvidenceOf<K>[P & keyof EvidenceOf<K>]>> };
    /** Numeric bounds on `values` (e.g. `{ fmr: { max: 0.001 } }`); an item without the value does not match. */
    readonly values?: Readonly<Record<string, { readonly min?: number; readonly max?: number }>>;
  };
}[EvidenceKind];

export type Condition =
  | { readonly has: Selector }
  | { readonly lacks: Selector }
  | { readonly all: readonly Condition[] }
  | { readonly any: readonly Condition[] };

export interface Evaluation {
  readonly holds: boolean;
  /** The items the outcome rests on: those matched by `has`; for `lacks`, the items of the same check (kind and attributes) that did not match. */
  readonly refs: readonly string[];
}

const asList = <T>(v: OneOrMany<T>): readonly T[] => (Array.isArray(v) ? (v as readonly T[]) : [v as T]);

function field(item: Evidence, name: string): unknown {
  return (item as unknown as Readonly<Record<string, unknown>>)[name];
}

export function matches(item: Evidence, s: Selector): boolean {
  if (item.kind !== s.kind) return false;
  if (s.result !== undefined && !asList<CheckResult>(s.result).includes(item.result)) return false;
  if (s.code !== undefined && (item.code === undefined || !asList<string>(s.code).includes(item.code))) return false;
  for (const [name, want] of Object.entries(s.where ?? {})) {
    if (want === undefined) continue;
    if (!asList<unknown>(want).includes(field(item, name))) return false;
  }
  for (const [name, bound] of Object.entries(s.values ?? {})) {
    const values = field(item, 'values');
    const v = typeof values === 'object' && values !== null ? (values as Readonly<Record<string, unknown>>)[name] : undefined;
    if (typeof v !== 'number') return false;
    if (bound.min !== undefined && !(v >= bound.min)) return false;
    if (bound.max !== undefined && !(v <= bound.max)) return false;
  }
  return true;
}

const MAX_DEPTH = 16;

export function evaluate(c: Condition, evidence: readonly Evidence[], depth = 0): Evaluation {
  if (depth > MAX_DEPTH) throw new InvalidArgumentError('rule condition', `at most ${MAX_DEPTH} levels of nesting`, depth);
  if ('has' in c) {
    const refs = evidence.filter((e) => matches(e, c.has)).map((e) => e.id);
    return { holds: refs.length > 0, refs };
  }
  if ('lacks' in c) {
    const hit = evidence.some((e) => matches(e, c.lacks));
    // The items that are the same check (kind and attributes) but did not match: the
    // not-performed or failed ones, which show why the requirement is unmet.
    const sameCheck = { kind: c.lacks.kind, ...(c.lacks.where ? { where: c.lacks.where } : {}) } as Selector;
    return { holds: !hit, refs: hit ? [] : evidence.filter((e) => matches(e, sameCheck)).map((e) => e.id) };
  }
  const parts = ('all' in c ? c.all : c.any).map((p) => evaluate(p, evidence, depth + 1));
  const holds = 'all' in c ? parts.every((p) => p.holds) : parts.some((p) => p.holds);
  const refs = new Set<string>();
  for (const p of parts) if (p.holds) for (const r of p.refs) refs.add(r);
  return { holds, refs: [...refs] };
}

/** The condition as one line of text for the README table (no `|`, which would split a cell). */
export function renderCondition(c: Condition, top = true): string {
  if ('has' in c) return renderSelector(c.has);
  if ('lacks' in c) return `no ${renderSelector(c.lacks)}`;
  const joiner = 'all' in c ? ' and ' : ' or ';
  const text = ('all' in c ? c.all : c.any).map((p) => renderCondition(p, false)).join(joiner);
  return top ? text : `(${text})`;
}

export function renderSelector(s: Selector): string {
  const attrs = Object.entries(s.where ?? {})
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${asList<unknown>(v).map(String).join('/')}`);
  const values = Object.entries(s.values ?? {}).map(([k, b]) =>
    [b.min !== undefined ? `${k} ≥ ${b.min}` : '', b.max !== undefined ? `${k} ≤ ${b.max}` : ''].filter(Boolean).join(', '));
  const quals = [...attrs, ...values];
  const head = `\`${s.kind}\`${quals.length > 0 ? `(${quals.join(', ')})` : ''}`;
  const result = s.result !== undefined ? ` ${asList<string>(s.result).join('/')}` : '';
  const code = s.code !== undefined ? ` [${asList<string>(s.code).join(', ')}]` : '';
  return `${head}${result}${code}`;
}
