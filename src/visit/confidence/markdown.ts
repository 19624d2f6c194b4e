// The README's tables rendered from the data, so the documentation cannot drift from the rules:
// docs/identity-confidence.md holds this output between `<!-- rules:start -->` and
// `<!-- rules:end -->` (and the levels between `levels:` markers), and a test compares them.
import { InvalidArgumentError } from '../../errors.js';
import { renderCondition } from './conditions.js';
import { LEVEL_DEFINITIONS } from './levels.js';
import { ruleTableVersion, type RuleTable } from './rules.js';

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderRuleTableMarkdown(table: RuleTable): string {
  const lines = [
    `Rule table \`${ruleTableVersion(table)}\` (${table.rules.length} rules). The level is the lowest cap among the rules that hold, starting from \`verified\`.`,
    '',
    '| Rule | v | When | Effect | Risk indicators | Reason | Why |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of table.rules) {
    const effect = r.effect.kind === 'cap' ? `cap → \`${r.effect.level}\`` : 'flag';
    const indicators = r.indicators.length > 0 ? r.indicators.map((i) => `${i.code} (${i.severity})`).join(', ') : '—';
    lines.push(`| \`${r.id}\` | ${r.version} | ${cell(renderCondition(r.when))} | ${effect} | ${cell(indicators)} | \`${r.reason}\` | ${cell(r.description)} |`);
  }
  return lines.join('\n');
}

export function renderLevelsMarkdown(): string {
  const lines = ['| Level | Meaning | What must hold |', '| --- | --- | --- |'];
  for (const d of LEVEL_DEFINITIONS) lines.push(`| \`${d.level}\` | ${cell(d.summary)} | ${cell(d.requires)} |`);
  return lines.join('\n');
}

/** The text between `<!-- name:start -->` and `<!-- name:end -->`, trimmed of the blank lines around it. */
export function generatedSection(doc: string, name: string): string | undefined {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const i = doc.indexOf(start);
  const j = doc.indexOf(end);
  if (i < 0 || j < i) return undefined;
  return doc.slice(i + start.length, j).trim();
}

/** `doc` with the section between the markers replaced by `content`. */
export function replaceGeneratedSection(doc: string, name: string, content: string): string {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const i = doc.indexOf(start);
  const j = doc.indexOf(end);
  if (i < 0 || j < i) throw new InvalidArgumentError(`markers ${name}`, `${start} … ${end} in the document`, doc);
  return `${doc.slice(0, i + start.length)}\n\n${content}\n\n${doc.slice(j)}`;
}

/** docs/identity-confidence.md with both generated sections brought up to date. */
export function updateIdentityConfidenceDoc(doc: string, table: RuleTable): string {
  return replaceGeneratedSection(replaceGeneratedSection(doc, 'levels', renderLevelsMarkdown()), 'rules', renderRuleTableMarkdown(table));
}
