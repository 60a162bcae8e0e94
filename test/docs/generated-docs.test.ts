import * as fs from 'fs';
import * as path from 'path';
import { acknowledgementCatalogue, renderAcknowledgementTable } from './acknowledgement-table';
import { ROOT } from './examples';
import { renderRulesTable } from './rules-table';

// Generated sections of the docs: each lies between `<!-- BEGIN GENERATED: <name> ... -->` and
// `<!-- END GENERATED: <name> -->`. A test fails when the committed text differs from what its
// source renders; `UPDATE_DOCS=1 npx jest test/docs/generated-docs.test.ts` rewrites them.
const GENERATED: Array<{ file: string; name: string; render: () => string }> = [
  { file: 'docs/compliance.md', name: 'acknowledgements', render: () => renderAcknowledgementTable() },
  { file: 'RULES.md', name: 'rules', render: () => renderRulesTable() },
];

function section(text: string, name: string): { start: number; end: number } {
  const begin = new RegExp(`<!-- BEGIN GENERATED: ${name}\\b[^>]*-->\\n`).exec(text);
  const end = text.indexOf(`<!-- END GENERATED: ${name} -->`);
  if (!begin || end < begin.index) throw new Error(`no generated section '${name}' (BEGIN/END GENERATED markers)`);
  return { start: begin.index + begin[0].length, end };
}

describe.each(GENERATED)('$file: the generated $name', ({ file, name, render }) => {
  const fullPath = path.join(ROOT, file);
  const rendered = render();

  test('is what its source renders', () => {
    if (process.env.UPDATE_DOCS) {
      const old = fs.readFileSync(fullPath, 'utf8');
      const { start, end } = section(old, name);
      fs.writeFileSync(fullPath, old.slice(0, start) + rendered + old.slice(end));
    }
    const text = fs.readFileSync(fullPath, 'utf8');
    const { start, end } = section(text, name);
    expect(text.slice(start, end)).toEqual(rendered);
  });
});

describe('the acknowledgement catalogue as rendered', () => {
  const entries = acknowledgementCatalogue();

  test('has every factory, each with a doc comment and at least one finding with a real reason', () => {
    expect(entries.length).toBeGreaterThanOrEqual(25);
    for (const entry of entries) {
      expect({ name: entry.name, where: entry.where.length >= 10 }).toEqual({ name: entry.name, where: true });
      expect(entry.acknowledgements.length).toBeGreaterThan(0);
      for (const ack of entry.acknowledgements) expect(ack.reason.trim().length).toBeGreaterThanOrEqual(10);
    }
  });

  test('includes entries the table must show (a fixed-id factory, a wildcard-statement factory, one with a parameter)', () => {
    const table = renderAcknowledgementTable(entries);
    expect(table).toContain('`AwsSolutions-S1`');
    expect(table).toMatch(/of statement `ReadWriteArtifacts`/);
    // A parameter's placeholder (`<objectArns>`) where the construct passes the ARN in.
    expect(table).toMatch(/Resource::<[A-Za-z]+>\]/);
    // Every row has three cells: a `|` inside a reason is escaped.
    for (const row of table.trim().split('\n')) expect(row.split(/(?<!\\)\|/).length).toBe(5);
  });
});

test('the rules table has one row per rule of the pack, with its id and level', () => {
  const rows = renderRulesTable().trim().split('\n').slice(2);
  expect(rows.length).toBeGreaterThanOrEqual(20);
  for (const row of rows) expect(row).toMatch(/^\| `MlOps-[A-Z][A-Za-z]+` \| (error|warning) \| /);
});
