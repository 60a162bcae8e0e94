import * as fs from 'fs';
import * as path from 'path';
import { DeployTimeValues, resolveCfnValue, resolvePseudoParameters, TemplateContext } from './cfn-values';
import { TrainyardValidationError } from '../../core/errors';
import { CloudAssemblyView, readJson } from '../cloud-assembly';

/** A SageMaker pipeline of a synthesized cloud assembly, with its definition ready to run locally. */
export interface SynthesizedPipeline {
  /** `<stack artifact id>/<logical id>`, what `--pipeline` matches (as does the logical id or pipeline name alone). */
  readonly id: string;
  /** The stack artifact id. */
  readonly stackId: string;
  /** The resource's logical id. */
  readonly logicalId: string;
  /** The `PipelineName` property, when it is a literal. */
  readonly pipelineName?: string;
  /** The construct path, when the template records it. */
  readonly constructPath?: string;
  /** The definition (the parsed JSON), with deploy-time values as `{{cfn:N}}` placeholders. */
  readonly definition: any;
  /** The deploy-time values the placeholders stand for. */
  readonly deployTimeValues: DeployTimeValues;
}

/** The file assets of a cloud assembly, by `s3://bucket/key` with pseudo parameters resolved to local stand-ins. */
export type AssetIndex = ReadonlyMap<string, string>;

/** Every `AWS::SageMaker::Pipeline` of the assembly (nested assemblies included). */
export function findPipelines(view: CloudAssemblyView, assets: AssetIndex): SynthesizedPipeline[] {
  const found: SynthesizedPipeline[] = [];
  for (const t of view.templates) {
    const context: TemplateContext = { mappings: t.template?.Mappings, parameters: t.template?.Parameters };
    for (const [logicalId, resource] of Object.entries<any>(t.template?.Resources ?? {})) {
      if (resource?.Type !== 'AWS::SageMaker::Pipeline') continue;
      const table = new DeployTimeValues();
      const id = `${t.stackId}/${logicalId}`;
      const props = resource.Properties ?? {};
      const name = resolveCfnValue(props.PipelineName, table, context);
      found.push({
        id,
        stackId: t.stackId,
        logicalId,
        pipelineName: typeof name === 'string' && !DeployTimeValues.isUnresolved(name) ? name : undefined,
        constructPath: resource.Metadata?.['aws:cdk:path'],
        definition: loadDefinition(id, props.PipelineDefinition, table, context, assets),
        deployTimeValues: table,
      });
    }
  }
  return found;
}

/**
 * Picks the pipeline `wanted` names (its id, logical id, pipeline name or construct path), or the
 * only one. Fails listing the pipelines when none or several match.
 */
export function choosePipeline(pipelines: SynthesizedPipeline[], wanted: string | undefined, cdkOut: string): SynthesizedPipeline {
  if (pipelines.length === 0) {
    throw new TrainyardValidationError('--cdk-out', `${cdkOut} has no AWS::SageMaker::Pipeline: synthesize an app with a TrainingPipeline first ('npx cdk synth').`);
  }
  const list = pipelines.map((p) => p.id + (p.pipelineName ? ` (${p.pipelineName})` : '')).join(', ');
  if (wanted === undefined) {
    if (pipelines.length > 1) {
      throw new TrainyardValidationError('--pipeline', `${cdkOut} has ${pipelines.length} pipelines; pick one: ${list}.`);
    }
    return pipelines[0];
  }
  const matches = pipelines.filter((p) => [p.id, p.logicalId, p.pipelineName, p.constructPath, p.constructPath?.split('/').slice(0, -1).join('/')].includes(wanted));
  if (matches.length !== 1) {
    throw new TrainyardValidationError('--pipeline', `${matches.length === 0 ? 'matches no pipeline' : 'matches several pipelines'} ('${wanted}'); the pipelines are: ${list}.`);
  }
  return matches[0];
}

/** The file assets of every `*.assets.json` manifest under `cdkOut` (nested assemblies included). */
export function indexFileAssets(cdkOut: string): AssetIndex {
  const index = new Map<string, string>();
  const visit = (dir: string, depth: number) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory() && entry.name.startsWith('assembly-') && depth < 10) {
        visit(full, depth + 1);
      } else if (entry.isFile() && entry.name.endsWith('.assets.json')) {
        const manifest = readJson(full);
        for (const asset of Object.values<any>(manifest?.files ?? {})) {
          const source = asset?.source?.path;
          if (typeof source !== 'string') continue;
          for (const destination of Object.values<any>(asset.destinations ?? {})) {
            if (typeof destination?.bucketName === 'string' && typeof destination.objectKey === 'string') {
              index.set(`s3://${resolvePseudoParameters(destination.bucketName)}/${destination.objectKey}`, path.join(dir, source));
            }
          }
        }
      }
    }
  };
  if (fs.existsSync(cdkOut)) {
    visit(cdkOut, 0);
  }
  return index;
}

function loadDefinition(id: string, property: any, table: DeployTimeValues, context: TemplateContext, assets: AssetIndex): any {
  if (property?.PipelineDefinitionBody !== undefined) {
    return parseDefinitionBody(id, property.PipelineDefinitionBody, table, context);
  }
  const location = property?.PipelineDefinitionS3Location;
  if (location) {
    const bucket = resolveCfnValue(location.Bucket, table, context);
    const key = resolveCfnValue(location.ObjectKey ?? location.Key, table, context);
    const file = assets.get(`s3://${bucket}/${key}`);
    if (!file || !fs.existsSync(file)) {
      throw new TrainyardValidationError(id, `its definition is stored at s3://${table.describe(String(bucket))}/${table.describe(String(key))}, which is not a file asset of this cdk.out.`);
    }
    return parseDefinition(id, fs.readFileSync(file, 'utf8'));
  }
  throw new TrainyardValidationError(id, 'has neither PipelineDefinitionBody nor PipelineDefinitionS3Location.');
}

/**
 * Parses a `PipelineDefinitionBody` (a string, or a `Fn::Join` of JSON text and deploy-time
 * values) into the definition, with deploy-time values as placeholders recorded in `table`.
 */
export function parseDefinitionBody(id: string, body: any, table: DeployTimeValues, context: TemplateContext = {}): any {
  // The deploy-time values sit inside JSON strings: escape what they resolve to as string content.
  const text = body?.['Fn::Join']
    ? (body['Fn::Join'][1] as any[]).map((part) => (typeof part === 'string' ? part : escapeJson(String(resolveCfnValue(part, table, context))))).join(body['Fn::Join'][0])
    : resolveCfnValue(body, table, context);
  // Dynamic references (`{{resolve:ssm:/name}}`) are deploy-time values written as text.
  const resolved = typeof text === 'string'
    ? text.replace(/\{\{resolve:([a-z-]+):([^}]+)\}\}/g, (_m, service: string, name: string) => table.add(`the dynamic reference {{resolve:${service}:${name}}}`, `${service}-${name}`))
    : text;
  return parseDefinition(id, resolved);
}

function parseDefinition(id: string, text: unknown): any {
  if (typeof text !== 'string') {
    throw new TrainyardValidationError(id, 'its PipelineDefinitionBody is not a string.');
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new TrainyardValidationError(id, `its pipeline definition is not valid JSON (${(e as Error).message}).`);
  }
}

function escapeJson(text: string): string {
  return JSON.stringify(text).slice(1, -1);
}
