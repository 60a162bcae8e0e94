// Renders RULES.md's rule list from the MlOpsChecks rule registry (MLOPS_RULES, one file per rule in
// src/governance/rules/). test/docs/generated-docs.test.ts fails when RULES.md differs;
// `UPDATE_DOCS=1 npx jest test/docs/generated-docs.test.ts` rewrites it.
import { MLOPS_RULES } from '../../src/governance/mlops-checks';

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\s+/g, ' ').trim();

/** One row per rule, in the pack's order: id, level, what a finding says, why it matters. */
export function renderRulesTable(): string {
  const rows = ['| rule | level | finding | why |', '| --- | --- | --- | --- |'];
  for (const rule of MLOPS_RULES) {
    rows.push(`| \`MlOps-${rule.name}\` | ${String(rule.level).toLowerCase()} | ${cell(rule.info)} | ${cell(rule.explanation)} |`);
  }
  return rows.join('\n') + '\n';
}
