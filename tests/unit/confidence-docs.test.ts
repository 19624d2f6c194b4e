// The README section on identity confidence (docs/identity-confidence.md) shows the rule table
// and the level definitions exactly as the code renders them from the data.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { generatedSection, renderLevelsMarkdown, renderRuleTableMarkdown, replaceGeneratedSection, updateIdentityConfidenceDoc } from '../../src/visit/confidence/markdown.js';
import { RULES_V1 } from '../../src/visit/confidence/rules.js';

const doc = readFileSync(new URL('../../docs/identity-confidence.md', import.meta.url), 'utf8');
const HOW = 'regenerate with the command under "The rule table" in docs/identity-confidence.md';

t.test('the rule table in the docs equals the one rendered from RULES_V1', async (t) => {
  t.equal(generatedSection(doc, 'rules'), renderRuleTableMarkdown(RULES_V1), HOW);
});

t.test('the level definitions in the docs equal the ones in levels.ts', async (t) => {
  t.equal(generatedSection(doc, 'levels'), renderLevelsMarkdown(), HOW);
  t.equal(updateIdentityConfidenceDoc(doc, RULES_V1), doc, 'regenerating changes nothing');
});

t.test('every rule appears once in the rendered table, with its effect', async (t) => {
  const table = renderRuleTableMarkdown(RULES_V1);
  for (const r of RULES_V1.rules) {
    const rows = table.split('\n').filter((l) => l.startsWith(`| \`${r.id}\` |`));
    t.equal(rows.length, 1, r.id);
    t.ok(rows[0]?.includes(r.effect.kind === 'cap' ? `cap → \`${r.effect.level}\`` : 'flag'), `${r.id} effect`);
    t.equal(rows[0]?.split(/(?<!\\)\|/).length, 9, `${r.id}: seven cells, no stray pipe`);
  }
});

t.test('markers: found, replaced, and a document without them is refused', async (t) => {
  const d = 'a\n<!-- x:start -->\nold\n<!-- x:end -->\nb';
  t.equal(generatedSection(d, 'x'), 'old');
  t.equal(replaceGeneratedSection(d, 'x', 'new'), 'a\n<!-- x:start -->\n\nnew\n\n<!-- x:end -->\nb');
  t.equal(generatedSection('no markers', 'x'), undefined);
  t.throws(() => replaceGeneratedSection('no markers', 'x', 'new'));
});
