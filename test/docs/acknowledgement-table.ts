// Renders the table of Trainyard's own acknowledgements (docs/compliance.md) from the catalogue in
// src/core/private/acknowledgement-catalogue.ts. test/docs/generated-docs.test.ts fails when the page differs;
// `UPDATE_DOCS=1 npx jest test/docs/generated-docs.test.ts` rewrites it.
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import * as catalogueModule from '../../src/core/private/acknowledgement-catalogue';

const ROOT = path.join(__dirname, '..', '..');

/**
 * Where the catalogue lives: each file, and the module its factories are called from. A factory is a
 * static method of a class of the file, or an exported function, that returns
 * `ComplianceAcknowledgement[]` or `WildcardSelection[]` and takes only booleans, strings
 * and string arrays; a `static readonly ..._REASON` string is a reason the caller pairs with findings
 * of its own. Moving factories to another module means adding it here.
 */
export function catalogueSources(): Array<{ file: string; module: Record<string, any> }> {
  return [{ file: 'src/core/private/acknowledgement-catalogue.ts', module: catalogueModule }];
}

/** One factory (or reason constant) of the catalogue and what it acknowledges. */
export interface CatalogueEntry {
  /** `AcknowledgementCatalogue.accessLogsBucket` or the function's name. */
  readonly name: string;
  /** The first paragraph of its doc comment: where it applies. */
  readonly where: string;
  /** Finding ids (or a description of them) with their reasons. */
  readonly acknowledgements: Array<{ readonly finding: string; readonly reason: string }>;
}

const RETURN_TYPES = ['ComplianceAcknowledgement[]', 'WildcardSelection[]', 'WildcardResourceAcknowledgement[]'];

/** A placeholder argument for a parameter, shown in the finding ids it produces (`<resource>`). */
function sampleArgument(parameter: ts.ParameterDeclaration, source: ts.SourceFile): unknown {
  const name = parameter.name.getText(source);
  const type = parameter.type?.getText(source) ?? (parameter.initializer && ts.isArrayLiteralExpression(parameter.initializer) ? 'string[]' : 'string');
  if (type === 'boolean') return true; // the wider set of acknowledgements
  if (type === 'string') return `<${name}>`;
  if (type === 'string[]') return [`<${name}>`];
  throw new Error(`catalogue factory parameter ${name}: type ${type} has no sample; extend sampleArgument`);
}

function docSummary(node: ts.Node): string {
  const doc = ts.getJSDocCommentsAndTags(node).find(ts.isJSDoc);
  const comment = typeof doc?.comment === 'string' ? doc.comment : ts.getTextOfJSDocComment(doc?.comment) ?? '';
  return comment.split(/\n\s*\n/)[0].replace(/\s+/g, ' ').trim();
}

function isFactory(node: ts.FunctionLikeDeclaration, source: ts.SourceFile): boolean {
  return !!node.type && RETURN_TYPES.includes(node.type.getText(source).replace(/\s/g, ''))
    && node.parameters.every((p) => ['boolean', 'string', 'string[]', undefined].includes(p.type?.getText(source)));
}

type Selection = { id?: string; statementSid?: string; resource?: string; resourceSuffix?: string; reason: string };

/** How a catalogue entry names its finding: an exact id, or the AwsSolutions-IAM5 wildcards it selects. */
function findingOf(ack: Selection): string {
  if (ack.id !== undefined) return `\`${ack.id}\``;
  if (ack.statementSid !== undefined) return `\`AwsSolutions-IAM5[Resource::…]\` of statement \`${ack.statementSid}\``;
  if (ack.resource !== undefined) return `\`AwsSolutions-IAM5[Resource::${ack.resource}]\``;
  if (ack.resourceSuffix !== undefined) return `\`AwsSolutions-IAM5[Resource::…${ack.resourceSuffix}]\``;
  throw new Error(`catalogue entry without a finding: ${JSON.stringify(ack)}; extend findingOf`);
}

function entriesOf(factory: (...args: unknown[]) => Selection[], args: unknown[]) {
  return factory(...args).map((ack) => ({ finding: findingOf(ack), reason: ack.reason }));
}

/** Every entry of the catalogue, in source order. */
export function acknowledgementCatalogue(): CatalogueEntry[] {
  const entries: CatalogueEntry[] = [];
  for (const { file, module } of catalogueSources()) {
    const source = ts.createSourceFile(file, fs.readFileSync(path.join(ROOT, file), 'utf8'), ts.ScriptTarget.ES2022, true);
    for (const statement of source.statements) {
      if (ts.isClassDeclaration(statement) && statement.name) {
        const holder = module[statement.name.text];
        for (const member of statement.members) {
          const isStatic = ts.getModifiers(member as ts.HasModifiers)?.some((m) => m.kind === ts.SyntaxKind.StaticKeyword);
          if (!isStatic || !member.name || !ts.isIdentifier(member.name)) continue;
          const name = `${statement.name.text}.${member.name.text}`;
          if (ts.isMethodDeclaration(member) && isFactory(member, source)) {
            const args = member.parameters.map((p) => sampleArgument(p, source));
            entries.push({ name, where: docSummary(member), acknowledgements: entriesOf(holder[member.name.text].bind(holder), args) });
          } else if (ts.isPropertyDeclaration(member) && /_REASON$/.test(member.name.text)) {
            entries.push({ name, where: docSummary(member), acknowledgements: [{ finding: '`AwsSolutions-IAM5[Resource::…]` findings the caller names', reason: holder[member.name.text] }] });
          }
        }
      } else if (ts.isFunctionDeclaration(statement) && statement.name && isFactory(statement, source)
        && ts.getModifiers(statement)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) {
        const args = statement.parameters.map((p) => sampleArgument(p, source));
        entries.push({ name: statement.name.text, where: docSummary(statement), acknowledgements: entriesOf(module[statement.name.text], args) });
      }
    }
  }
  return entries;
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\s+/g, ' ').trim();

/** The Markdown table: one row per entry and reason, the findings that share the reason together. */
export function renderAcknowledgementTable(entries: CatalogueEntry[] = acknowledgementCatalogue()): string {
  const rows = ['| finding | where (catalogue entry) | why it does not apply |', '| --- | --- | --- |'];
  for (const entry of entries) {
    const byReason = new Map<string, string[]>();
    for (const ack of entry.acknowledgements) byReason.set(ack.reason, [...(byReason.get(ack.reason) ?? []), ack.finding]);
    for (const [reason, findings] of byReason) {
      rows.push(`| ${cell(findings.join(', '))} | ${cell(entry.where)} (\`${entry.name}\`) | ${cell(reason)} |`);
    }
  }
  return rows.join('\n') + '\n';
}
