import * as fs from 'fs';
import * as path from 'path';

/** bench/RESULTS.md: the synth benchmark's table, then one marked section per other benchmark. */
export const RESULTS_FILE = path.join(__dirname, 'RESULTS.md');

const SECTION = /<!-- bench:([a-z0-9-]+) -->[\s\S]*?<!-- \/bench:\1 -->\n?/g;

/** Writes (or replaces) the section of benchmark `name` in RESULTS.md, leaving the rest as it is. */
export function writeResultsSection(name: string, markdown: string): void {
  const text = fs.existsSync(RESULTS_FILE) ? fs.readFileSync(RESULTS_FILE, 'utf8') : '';
  const section = `<!-- bench:${name} -->\n${markdown.trimEnd()}\n<!-- /bench:${name} -->\n`;
  const others = text.replace(SECTION, (whole, n: string) => (n === name ? '' : whole)).trimEnd();
  fs.writeFileSync(RESULTS_FILE, `${others}\n\n${section}`);
}

/** The marked sections of RESULTS.md, to keep when a benchmark rewrites the rest of the file. */
export function markedSections(): string {
  const text = fs.existsSync(RESULTS_FILE) ? fs.readFileSync(RESULTS_FILE, 'utf8') : '';
  const sections = text.match(SECTION) ?? [];
  return sections.length > 0 ? `\n${sections.join('\n')}` : '';
}
