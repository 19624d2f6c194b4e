// One pure function from a visit's evidence to its identity-confidence level, the reasons that
// decided it and the risk indicators for the back office (issue 3 §5). No clock of its own, no
// I/O, no state: the same evidence, table and time give the same assessment, byte for byte once
// canonicalised (canonical.ts).
//
// The level is the lowest cap of every rule whose condition holds, starting from `verified`.
// Because every condition only asks "is there an item that failed / was not performed" or
// "is there no item that passed", adding a failing item or removing a passing one can only make
// more caps hold, never fewer: the level is monotone (property-tested).
import { InvalidArgumentError } from '../../errors.js';
import { CODE_PATTERN, validateEvidence, type Evidence } from '../evidence.js';
import { evaluate } from './conditions.js';
import { LEVELS, levelRank, minLevel, type IdentityLevel } from './levels.js';
import { RISK_CODES, RULES_V1, ruleTableVersion, SEVERITIES, type RiskCode, type RuleTable, type Severity } from './rules.js';

export const ASSESSMENT_SCHEMA_VERSION = 1;

export interface Reason {
  readonly ruleId: string;
  readonly ruleVersion: number;
  /** Reason code for the message catalogues. */
  readonly reason: string;
  readonly effect: 'cap' | 'flag';
  /** The level a `cap` limits the assessment to. */
  readonly level?: IdentityLevel;
  /** This cap is the one (or one of those) that set the final level. */
  readonly decisive: boolean;
  /** Ids of the evidence items the rule's outcome rests on (empty when the evidence is simply absent). */
  readonly evidence: readonly string[];
}

export interface RiskIndicator {
  readonly code: RiskCode;
  readonly severity: Severity;
  readonly evidence: readonly string[];
  /** The rules that raised it. */
  readonly rules: readonly string[];
}

export interface IdentityAssessment {
  readonly schemaVersion: typeof ASSESSMENT_SCHEMA_VERSION;
  /** e.g. "identity-confidence/1". */
  readonly ruleTableVersion: string;
  readonly level: IdentityLevel;
  /** Every rule that held, in table order. */
  readonly reasons: readonly Reason[];
  /** One per code, highest severity first. */
  readonly riskIndicators: readonly RiskIndicator[];
  readonly assessedAt: string;
}

export function assessIdentity(evidence: readonly Evidence[], rules: RuleTable = RULES_V1, now: () => Date): IdentityAssessment {
  validateEvidence(evidence);
  validateRuleTable(rules);
  const order = new Map(evidence.map((e, i) => [e.id, i]));
  const byEvidenceOrder = (ids: Iterable<string>): string[] => [...new Set(ids)].sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0));

  let level: IdentityLevel = 'verified';
  const held: { rule: RuleTable['rules'][number]; refs: string[] }[] = [];
  for (const rule of rules.rules) {
    const ev = evaluate(rule.when, evidence);
    if (!ev.holds) continue;
    held.push({ rule, refs: byEvidenceOrder(ev.refs) });
    if (rule.effect.kind === 'cap') level = minLevel(level, rule.effect.level);
  }

  const reasons: Reason[] = held.map(({ rule, refs }) => ({
    ruleId: rule.id,
    ruleVersion: rule.version,
    reason: rule.reason,
    effect: rule.effect.kind,
    ...(rule.effect.kind === 'cap' ? { level: rule.effect.level } : {}),
    decisive: rule.effect.kind === 'cap' && rule.effect.level === level,
    evidence: refs,
  }));

  const indicators = new Map<RiskCode, { severity: Severity; evidence: string[]; rules: string[] }>();
  for (const { rule, refs } of held) {
    for (const ind of rule.indicators) {
      const cur = indicators.get(ind.code);
      if (!cur) {
        indicators.set(ind.code, { severity: ind.severity, evidence: [...refs], rules: [rule.id] });
        continue;
      }
      if (SEVERITIES.indexOf(ind.severity) > SEVERITIES.indexOf(cur.severity)) cur.severity = ind.severity;
      cur.evidence = byEvidenceOrder([...cur.evidence, ...refs]);
      cur.rules.push(rule.id);
    }
  }
  const riskIndicators: RiskIndicator[] = [...indicators.entries()]
    .map(([code, v]) => ({ code, severity: v.severity, evidence: v.evidence, rules: v.rules }))
    .sort((a, b) => SEVERITIES.indexOf(b.severity) - SEVERITIES.indexOf(a.severity) || RISK_CODES.indexOf(a.code) - RISK_CODES.indexOf(b.code));

  return {
    schemaVersion: ASSESSMENT_SCHEMA_VERSION,
    ruleTableVersion: ruleTableVersion(rules),
    level,
    reasons,
    riskIndicators,
    assessedAt: now().toISOString(),
  };
}

const RULE_ID = /^IC-[A-Z0-9-]{1,48}$/;

/** A table with duplicate ids, unknown levels or codes is a programming error: refuse it. */
export function validateRuleTable(t: RuleTable): void {
  if (!/^[a-z][a-z0-9-]{0,47}$/.test(t.id)) throw new InvalidArgumentError('rule table id', 'a lower-case name', t.id);
  if (!Number.isInteger(t.version) || t.version < 1) throw new InvalidArgumentError('rule table version', 'a positive integer', t.version);
  const ids = new Set<string>();
  for (const r of t.rules) {
    if (!RULE_ID.test(r.id)) throw new InvalidArgumentError('rule id', 'IC-<NAME>', r.id);
    if (ids.has(r.id)) throw new InvalidArgumentError(`rule ${r.id}`, 'a unique id', r.id);
    ids.add(r.id);
    if (!Number.isInteger(r.version) || r.version < 1) throw new InvalidArgumentError(`rule ${r.id} version`, 'a positive integer', r.version);
    if (!CODE_PATTERN.test(r.reason)) throw new InvalidArgumentError(`rule ${r.id} reason`, 'an upper-case code', r.reason);
    if (r.effect.kind === 'cap' && levelRank(r.effect.level) < 0) throw new InvalidArgumentError(`rule ${r.id} level`, LEVELS.join(', '), r.effect.level);
    for (const ind of r.indicators) {
      if (!(RISK_CODES as readonly string[]).includes(ind.code)) throw new InvalidArgumentError(`rule ${r.id} indicator`, 'a known risk code', ind.code);
      if (!SEVERITIES.includes(ind.severity)) throw new InvalidArgumentError(`rule ${r.id} severity`, SEVERITIES.join(', '), ind.severity);
    }
  }
}
