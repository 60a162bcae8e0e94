import * as fs from 'fs';
import * as path from 'path';
import { TrainyardValidationError } from '../core/errors';

/** One stack template of a cloud assembly. */
export interface AssemblyTemplate {
  /** The stack's artifact id (its name in the cloud assembly). */
  readonly stackId: string;
  /** Absolute path of the template file. */
  readonly file: string;
  /** The parsed template. */
  readonly template: any;
}

/** Where a construct's CloudFormation resource is. */
export interface ResourceLocation {
  /** Absolute path of the template file. */
  readonly file: string;
  /** The resource's logical id. */
  readonly logicalId: string;
}

/**
 * A read-only view of a synthesized cloud assembly (`cdk.out`): its stack templates, including
 * those of nested assemblies (stages), and where each construct path's resource is.
 *
 * It reads `manifest.json` and each stack's metadata, not the CDK's cloud-assembly API, so the CLI
 * bundle stays small and reads assemblies of any CDK 2 version.
 */
export class CloudAssemblyView {
  /** Opens `dir`, failing with one line when it is not a cloud assembly. */
  public static open(dir: string): CloudAssemblyView {
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
      throw new TrainyardValidationError('--cdk-out', `${dir} is not a directory: run 'npx cdk synth' first.`);
    }
    const view = new CloudAssemblyView(dir);
    view.load(dir, 0);
    return view;
  }

  /** The stack templates, in manifest order. */
  public readonly templates: AssemblyTemplate[] = [];
  private readonly locations = new Map<string, ResourceLocation>();

  private constructor(public readonly dir: string) {}

  /** Where the resource of `constructPath` is (the path as the validation report gives it). */
  public locate(constructPath: string): ResourceLocation | undefined {
    return this.locations.get(constructPath.replace(/^\//, ''));
  }

  private load(dir: string, depth: number): void {
    const manifestFile = path.join(dir, 'manifest.json');
    if (!fs.existsSync(manifestFile)) {
      // Not a cloud assembly written by `cdk synth`: read whatever templates are there.
      for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.template.json')).sort()) {
        this.addTemplate(f.replace(/\.template\.json$/, ''), path.join(dir, f), {});
      }
      return;
    }
    const manifest = readJson(manifestFile);
    const artifacts = manifest && typeof manifest.artifacts === 'object' ? manifest.artifacts : {};
    for (const [id, artifact] of Object.entries<any>(artifacts)) {
      if (artifact?.type === 'aws:cloudformation:stack' && artifact.properties?.templateFile) {
        let metadata: Record<string, any[]> = artifact.metadata ?? {};
        if (artifact.additionalMetadataFile && fs.existsSync(path.join(dir, artifact.additionalMetadataFile))) {
          metadata = { ...metadata, ...readJson(path.join(dir, artifact.additionalMetadataFile)) };
        }
        this.addTemplate(id, path.join(dir, artifact.properties.templateFile), metadata);
      } else if (artifact?.type === 'cdk:cloud-assembly' && artifact.properties?.directoryName && depth < 10) {
        const nested = path.join(dir, artifact.properties.directoryName);
        if (fs.existsSync(nested)) this.load(nested, depth + 1);
      }
    }
  }

  private addTemplate(stackId: string, file: string, metadata: Record<string, any[]>): void {
    if (!fs.existsSync(file)) return;
    const template = readJson(file);
    this.templates.push({ stackId, file, template });
    for (const [constructPath, entries] of Object.entries(metadata)) {
      for (const entry of Array.isArray(entries) ? entries : []) {
        if (entry?.type === 'aws:cdk:logicalId' && typeof entry.data === 'string') {
          this.locations.set(constructPath.replace(/^\//, ''), { file, logicalId: entry.data });
        }
      }
    }
    // Templates synthesized with path metadata name the construct path on each resource too.
    for (const [logicalId, resource] of Object.entries<any>(template?.Resources ?? {})) {
      const cdkPath = resource?.Metadata?.['aws:cdk:path'];
      if (typeof cdkPath === 'string' && !this.locations.has(cdkPath)) {
        this.locations.set(cdkPath, { file, logicalId });
      }
    }
  }
}

/** Reads a JSON file, failing with one line that names the file. */
export function readJson(file: string): any {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new TrainyardValidationError(file, `is not valid JSON (${(e as Error).message.split('\n')[0]}). Was the synth interrupted? Run it again.`);
  }
}

/** The 1-based line where `logicalId` is declared as a key in the template file, if found. */
export function findLogicalIdLine(templateText: string, logicalId: string): number | undefined {
  const escaped = logicalId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(`^\\s*"${escaped}"\\s*:\\s*\\{`);
  const lines = templateText.split('\n');
  const i = lines.findIndex((l) => re.test(l));
  return i >= 0 ? i + 1 : undefined;
}
