import * as fs from 'fs';
import * as path from 'path';

/**
 * One Control Tower proactive control shipped with `@cdklabs/cdk-validator-cfnguard`.
 *
 * @internal
 */
export interface ControlTowerRule {
  /** The control id, for example `CT.S3.PR.10`. */
  readonly control: string;
  /** The rule file. */
  readonly file: string;
  /** The cfn-guard rule names the file defines (what the validation report calls the finding). */
  readonly ruleNames: string[];
  /** The resource types the file reports on. */
  readonly resourceTypes: Set<string>;
}

let index: ControlTowerRule[] | undefined;

/**
 * The bundled Control Tower rule files, read once per process.
 *
 * @internal
 */
export function controlTowerRules(): ControlTowerRule[] {
  if (!index) {
    const pkg = require.resolve('@cdklabs/cdk-validator-cfnguard/package.json');
    const root = path.join(path.dirname(pkg), 'rules', 'control-tower', 'cfn-guard');
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (entry.name.endsWith('.guard')) files.push(full);
      }
    };
    walk(root);
    index = files.sort().map((file) => {
      const text = fs.readFileSync(file, 'utf8');
      const ruleNames = [...new Set([...text.matchAll(/^rule\s+([A-Za-z0-9_]+)\s+when\s+is_cfn_template/gm)].map((m) => m[1]))];
      return {
        control: path.parse(file).name.toUpperCase().replace(/-/g, '.'),
        file,
        ruleNames,
        resourceTypes: new Set(text.match(/AWS::[A-Za-z0-9]+::[A-Za-z0-9]+/g) ?? []),
      };
    });
  }
  return index;
}

/**
 * The validation-report ids of a Control Tower control (`CT.S3.PR.10` ->
 * `cdk-validator-cfnguard::s3_bucket_default_encryption_kms_check`), or undefined if the id is
 * not a bundled control.
 *
 * @internal
 */
export function controlTowerFindingIds(control: string): string[] | undefined {
  const rule = controlTowerRules().find((r) => r.control === control.toUpperCase());
  return rule?.ruleNames.map((name) => `cdk-validator-cfnguard::${name}`);
}
