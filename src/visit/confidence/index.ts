// Identity confidence: the scale (levels.ts), the rule table (rules.ts, conditions.ts), the
// assessment (assess.ts) and the back-office record (record.ts, record-schema.ts, canonical.ts).
export { LEVELS, LEVEL_DEFINITIONS, levelRank, minLevel, isLevel, type IdentityLevel, type LevelDefinition } from './levels.js';
export { evaluate, matches, renderCondition, renderSelector, type Condition, type Evaluation, type Selector } from './conditions.js';
export { RULES_V1, RISK_CODES, SEVERITIES, BINDING_MAX_FMR, ruleTableVersion, type Rule, type RuleEffect, type RuleTable, type RiskCode, type Severity } from './rules.js';
export { assessIdentity, validateRuleTable, ASSESSMENT_SCHEMA_VERSION, type IdentityAssessment, type Reason, type RiskIndicator } from './assess.js';
export { canonicalJson } from './canonical.js';
export { validateJsonSchema, type JsonSchema, type SchemaError } from './json-schema.js';
export { IDENTITY_RECORD_SCHEMA, IDENTITY_RECORD_SCHEMA_ID } from './record-schema.js';
export {
  buildIdentityRecord, canonicalRecord, validateIdentityRecord, IDENTITY_RECORD_SCHEMA_VERSION,
  type IdentityRecord, type RecordContext, type RecordValidation,
} from './record.js';
export { renderRuleTableMarkdown, renderLevelsMarkdown, generatedSection, replaceGeneratedSection, updateIdentityConfidenceDoc } from './markdown.js';
