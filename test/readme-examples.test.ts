import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';

// Every ```ts block of README.md must compile against the library's source, as a user would write it
// (`import { ... } from 'trainyard'`). Blocks are type-checked, not run.
const ROOT = path.join(__dirname, '..');

function readmeBlocks(): Array<{ line: number; code: string }> {
  const text = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const blocks: Array<{ line: number; code: string }> = [];
  const fence = /^```ts\s*\n([\s\S]*?)^```/gm;
  let m: RegExpExecArray | null;
  while ((m = fence.exec(text)) !== null) {
    blocks.push({ line: text.slice(0, m.index).split('\n').length, code: m[1] });
  }
  return blocks;
}

test('README has TypeScript examples', () => {
  expect(readmeBlocks().length).toBeGreaterThan(0);
});

test('every README TypeScript example compiles', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainyard-readme-'));
  const files = readmeBlocks().map((block, i) => {
    const file = path.join(dir, `readme-line-${block.line}-${i}.ts`);
    // Each block is a module of its own, so names do not collide between examples.
    fs.writeFileSync(file, `${block.code}\nexport {};\n`);
    return file;
  });
  const program = ts.createProgram(files, {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    esModuleInterop: true,
    baseUrl: ROOT,
    typeRoots: [path.join(ROOT, 'node_modules', '@types')],
    types: ['node'],
    paths: { 'trainyard': [path.join(ROOT, 'src', 'index.ts')], '*': [path.join(ROOT, 'node_modules', '*')] },
  });
  const diagnostics = ts.getPreEmitDiagnostics(program)
    .filter((d) => d.file && files.includes(d.file.fileName))
    .map((d) => `${path.basename(d.file!.fileName)}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
  expect(diagnostics).toEqual([]);
});
