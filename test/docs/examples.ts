// Runs the TypeScript examples of README.md and docs/*.md as they are written, so a test can check
// what jsii-rosetta cannot: that an example synthesizes, creates what the text says, and has no
// unacknowledged finding. Rosetta (`npx projen rosetta:extract`) checks that every example compiles.
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

export const ROOT = path.join(__dirname, '..', '..');
const FIXTURE = path.join(ROOT, 'rosetta', 'default.ts-fixture');

/** One ```ts block of a Markdown file. */
export interface MarkdownExample {
  /** The file, relative to the repository root. */
  readonly file: string;
  /** The line of the opening fence. */
  readonly line: number;
  /** The fence's parameters after `ts` (`nofixture`, `fixture=NAME`). */
  readonly parameters: string;
  readonly code: string;
}

/** Every TypeScript example of a Markdown file, in order. */
export function markdownExamples(file: string): MarkdownExample[] {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
  const examples: MarkdownExample[] = [];
  const fence = /^```(?:ts|typescript)([^\n]*)\n([\s\S]*?)^```/gm;
  let match: RegExpExecArray | null;
  while ((match = fence.exec(text)) !== null) {
    examples.push({ file, line: text.slice(0, match.index).split('\n').length, parameters: match[1].trim(), code: match[2] });
  }
  return examples;
}

/** The one example of `file` that contains `text`; fails when none or several do. */
export function exampleContaining(file: string, text: string): MarkdownExample {
  const found = markdownExamples(file).filter((e) => e.code.includes(text));
  if (found.length !== 1) {
    throw new Error(`${file}: expected one TypeScript example containing ${JSON.stringify(text)}, found ${found.length}`);
  }
  return found[0];
}

/** The library as a user imports it (`trainyard`), from this checkout's source. */
function trainyard(): Record<string, unknown> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path.join(ROOT, 'src', 'index'));
}

/** A module an example imports, with `overrides` for names the test controls (the example's `App`). */
function load(name: string, overrides: Record<string, Record<string, unknown>>): any {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const module = name === 'trainyard' ? trainyard() : require(name);
  const replaced = overrides[name];
  if (!replaced) return module;
  return new Proxy(module, { get: (target, key) => (typeof key === 'string' && key in replaced ? replaced[key] : target[key]) });
}

/**
 * The names the rosetta fixture imports and declares, read from rosetta/default.ts-fixture itself, so an example
 * runs here with exactly what it compiles with there.
 */
function fixtureImports(overrides: Record<string, Record<string, unknown>>): Record<string, unknown> {
  const source = ts.createSourceFile(FIXTURE, fs.readFileSync(FIXTURE, 'utf8'), ts.ScriptTarget.ES2022);
  const names: Record<string, unknown> = {};
  for (const statement of source.statements) {
    // `declare const platform: MlPlatform;`: undefined unless the test gives a value.
    if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        if (ts.isIdentifier(declaration.name)) names[declaration.name.text] = undefined;
      }
    }
    if (!ts.isImportDeclaration(statement) || !statement.importClause?.namedBindings) continue;
    const module = load((statement.moduleSpecifier as ts.StringLiteral).text, overrides);
    const bindings = statement.importClause.namedBindings;
    if (ts.isNamespaceImport(bindings)) {
      names[bindings.name.text] = module;
    } else {
      for (const element of bindings.elements) {
        const imported = (element.propertyName ?? element.name).text;
        names[element.name.text] = module[imported];
      }
    }
  }
  return names;
}

/** The values the fixture declares (`platform`, `teamStack`, ...), as the test provides them. */
export interface FixtureValues {
  readonly [name: string]: unknown;
}

export interface RunOptions {
  /** Values for the fixture's declared names; a name the example uses but is not given is undefined. */
  readonly values?: FixtureValues;
  /** `this` of the example (the fixture inserts it in a Stack's constructor). */
  readonly thisArg?: unknown;
  /** Replacements of exported names, by module: `{ 'aws-cdk-lib': { App: ... } }`. */
  readonly overrides?: Record<string, Record<string, unknown>>;
}

/**
 * Runs an example as written: a `nofixture` example as a module of its own (its imports resolved,
 * `trainyard` to this checkout), any other inside the fixture's names and the given values.
 */
export function runExample(example: MarkdownExample, options: RunOptions = {}): void {
  const overrides = options.overrides ?? {};
  const js = ts.transpileModule(example.code, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
    fileName: `${example.file}-L${example.line}.ts`,
  }).outputText;
  const scope: Record<string, unknown> = example.parameters.includes('nofixture')
    ? {}
    : { ...fixtureImports(overrides), ...options.values };
  const requireShim = (name: string) => load(name, overrides);
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const run = new Function('require', 'exports', 'module', ...Object.keys(scope), js);
  run.call(options.thisArg, requireShim, {}, { exports: {} }, ...Object.values(scope));
}
