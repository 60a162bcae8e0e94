import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { CfnInclude } from 'aws-cdk-lib/cloudformation-include';
import { AwsSolutionsChecks, HIPAASecurityChecks, NagPack, NIST80053R5Checks } from 'cdk-nag';

/** One finding of a pack re-run on a synthesized template, and whether the original construct tree acknowledges it. */
export interface RerunFinding {
  /** The stack's display name (`Dev/Trainyard-Platform` for a stage's stack). */
  readonly stack: string;
  readonly logicalId: string;
  /** The construct path of the resource in the original app (from the stack's metadata). */
  readonly constructPath: string;
  /** The finding id, for example `AwsSolutions-IAM5[Resource::*]`. */
  readonly rule: string;
  /** The reason the original tree gives for it, if it acknowledges it (on the resource or an ancestor). */
  readonly reason?: string;
}

interface StackArtifact {
  readonly name: string;
  readonly templateFile: string;
  readonly metadata: Record<string, any[]>;
}

function stacksOf(dir: string, out: StackArtifact[] = []): StackArtifact[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  for (const [name, artifact] of Object.entries<any>(manifest.artifacts ?? {})) {
    if (artifact.type === 'aws:cloudformation:stack') {
      const metadata: Record<string, any[]> = { ...(artifact.metadata ?? {}) };
      if (artifact.additionalMetadataFile) {
        for (const [p, entries] of Object.entries<any[]>(JSON.parse(fs.readFileSync(path.join(dir, artifact.additionalMetadataFile), 'utf8')))) {
          metadata[p] = [...(metadata[p] ?? []), ...entries];
        }
      }
      out.push({ name: artifact.displayName ?? name, templateFile: path.join(dir, artifact.properties.templateFile), metadata });
    } else if (artifact.type === 'cdk:cloud-assembly') {
      stacksOf(path.join(dir, artifact.properties.directoryName), out);
    }
  }
  return out;
}

/**
 * Re-runs cdk-nag's AwsSolutions, NIST 800-53 R5 and HIPAA Security packs on every stack template of
 * a cloud assembly, as an auditor would: each template is loaded with `CfnInclude` into a fresh
 * stack, so every resource is a typed L1 (CDK's own providers, which the synth saw as plain
 * `CfnResource`s, included). Each finding is matched with the acknowledgements the original construct
 * tree records for that resource (by logical id) or one of its ancestors.
 */
export function rerunNagPacks(assemblyDir: string): RerunFinding[] {
  const findings: RerunFinding[] = [];
  for (const artifact of stacksOf(assemblyDir)) {
    const app = new App();
    const stack = new Stack(app, 'Rerun');
    const include = new CfnInclude(stack, 'Template', { templateFile: artifact.templateFile });
    const packs: NagPack[] = [new AwsSolutionsChecks(app), new NIST80053R5Checks(app), new HIPAASecurityChecks(app)];
    const pathOf = new Map<string, string>();
    for (const [p, entries] of Object.entries(artifact.metadata)) {
      for (const entry of entries) if (entry.type === 'aws:cdk:logicalId') pathOf.set(entry.data, p.replace(/^\//, ''));
    }
    const acknowledgementsOn = (constructPath: string): Record<string, string> => {
      const acks: Record<string, string> = {};
      for (const [p, entries] of Object.entries(artifact.metadata)) {
        const at = p.replace(/^\//, '');
        if (constructPath !== at && !constructPath.startsWith(`${at}/`)) continue;
        for (const entry of entries) {
          if (entry.type === 'aws:cdk:acknowledged-rules') Object.assign(acks, entry.data);
        }
      }
      return acks;
    };
    for (const pack of packs) {
      const report = (pack as any).validateScope(app);
      for (const violation of report.violations) {
        for (const resource of violation.violatingResources) {
          const logicalId = String(resource.constructPath).split('/').pop()!;
          if (!include.getResource(logicalId)) continue;
          const constructPath = pathOf.get(logicalId) ?? '';
          const acks = acknowledgementsOn(constructPath);
          const rule: string = violation.ruleName;
          const base = rule.replace(/\[.*$/, '');
          const id = Object.keys(acks).find((k) => [rule, base].includes(k.replace(/^[^:]*::/, '')));
          findings.push({ stack: artifact.name, logicalId, constructPath, rule, reason: id ? acks[id] : undefined });
        }
      }
    }
  }
  return findings;
}
