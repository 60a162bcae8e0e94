/**
 * `trainyard run --local` without the command line: reads the pipeline from cdk.out, maps S3 to
 * folders, picks how container paths are provided, and runs the interpreter with the local job
 * executor.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './cfn-values';
import { chooseContainerPaths, ContainerPathMode, ContainerPaths } from './container-paths';
import { RunEvent, runPipeline, StepRecord } from './interpreter';
import { LocalJobExecutor } from './job-executor';
import { LOCAL_DATA_KEY, LocalS3 } from './local-s3';
import { ParameterDeclaration, resolveParameters } from './parameters';
import { choosePipeline, findPipelines, indexFileAssets } from './pipeline-source';
import { TrainyardValidationError } from '../../core/errors';
import { CloudAssemblyView } from '../cloud-assembly';

/** The options of a local run. */
export interface LocalRunOptions {
  /** The cloud assembly. */
  readonly cdkOut: string;
  /** Which pipeline, when the assembly has several. */
  readonly pipeline?: string;
  /** The data sample: a file or a folder. */
  readonly data: string;
  /**
   * The String parameter that holds the data's S3 key (or URI).
   *
   * @default 'InputDataKey' when declared, else the only parameter whose name ends in 'Data', 'DataKey' or 'DataUri'
   */
  readonly dataParameter?: string;
  /** `NAME=VALUE` overrides of parameter defaults. */
  readonly parameters: string[];
  /**
   * Keep the working root here.
   *
   * @default - a temporary folder, removed after the run
   */
  readonly keep?: string;
  /** How `/opt/ml` is provided. */
  readonly containerPaths: 'auto' | ContainerPathMode;
  /** The host environment passed on to jobs (PATH, HOME, a virtualenv). */
  readonly hostEnv: Record<string, string | undefined>;
}

/** What a local run did. */
export interface LocalRunReport {
  /** The pipeline (`<stack>/<logical id>`). */
  readonly pipeline: string;
  readonly executionId: string;
  readonly status: 'Succeeded' | 'Failed';
  readonly failedStep?: string;
  readonly message?: string;
  readonly parameters: Record<string, any>;
  readonly dataParameter: string;
  readonly containerPaths: ContainerPaths;
  readonly steps: StepRecord[];
  /** The working root (jobs/ and s3/). */
  readonly workRoot: string;
  /** Whether the working root was kept. */
  readonly kept: boolean;
  readonly seconds: number;
  /** What a SageMaker execution does that a local run does not. */
  readonly notApplied: string[];
}

/** What a local run leaves out, said in every report. */
export const NOT_APPLIED = [
  'retry policies (a failed step fails the run at once)',
  'step caching (every step runs)',
  'instance types, spot capacity, network isolation and KMS encryption (jobs run as local processes)',
];

/**
 * Runs the chosen pipeline of `cdkOut` locally. `onStart` gets the header (pipeline, parameters,
 * container-path mode) before the first step; `onEvent` each step as it starts and ends.
 */
export async function runLocally(
  options: LocalRunOptions, onStart: (header: LocalRunReport) => void, onEvent: (e: RunEvent) => void,
): Promise<LocalRunReport> {
  const started = Date.now();
  const data = path.resolve(options.data);
  if (!fs.existsSync(data)) {
    throw new TrainyardValidationError('--data', `${options.data} does not exist: pass a CSV file or a folder of them.`);
  }
  const view = CloudAssemblyView.open(options.cdkOut);
  const assets = indexFileAssets(options.cdkOut);
  const pipeline = choosePipeline(findPipelines(view, assets), options.pipeline, options.cdkOut);
  const declared: ParameterDeclaration[] = pipeline.definition.Parameters ?? [];
  const dataParameter = chooseDataParameter(declared, options.dataParameter);
  const declaration = declared.find((p) => p.Name === dataParameter)!;
  const parameters = resolveParameters(declared, options.parameters, {
    [dataParameter]: String(declaration.DefaultValue ?? '').startsWith('s3://') ? `s3://${LOCAL_DATA_KEY}/` : `${LOCAL_DATA_KEY}/`,
  });

  const workRoot = prepareWorkRoot(options.keep);
  const containerPaths = chooseContainerPaths(options.containerPaths, path.join(workRoot, 'probe'));
  const stamp = new Date(started).toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
  const executionId = `local-${stamp.toLowerCase()}-${crypto.randomBytes(3).toString('hex')}`;
  const pipelineName = pipeline.pipelineName ?? pipeline.logicalId;
  const execution = {
    PipelineExecutionId: executionId,
    PipelineExecutionArn: `arn:aws:sagemaker:${LOCAL_REGION}:${LOCAL_ACCOUNT}:pipeline/${pipelineName}/execution/${executionId}`,
    PipelineName: pipelineName,
    PipelineArn: `arn:aws:sagemaker:${LOCAL_REGION}:${LOCAL_ACCOUNT}:pipeline/${pipelineName}`,
    StartDateTime: new Date(started).toISOString(),
    CurrentDateTime: new Date(started).toISOString(),
  };
  const header = {
    pipeline: pipeline.id,
    executionId,
    status: 'Succeeded' as const,
    parameters: { ...parameters, [dataParameter]: data },
    dataParameter,
    containerPaths,
    steps: [],
    workRoot,
    kept: options.keep !== undefined,
    seconds: 0,
    notApplied: NOT_APPLIED,
  };
  onStart(header);
  const s3 = new LocalS3(workRoot, pipeline.deployTimeValues, assets, data);
  const executor = new LocalJobExecutor({
    workRoot, s3, deployTimeValues: pipeline.deployTimeValues, mode: containerPaths.mode, executionId, hostEnv: options.hostEnv,
  });
  try {
    const outcome = await runPipeline(pipeline.definition, { parameters, execution }, executor, onEvent);
    return {
      ...header,
      status: outcome.status,
      failedStep: outcome.failedStep,
      message: outcome.message === undefined ? undefined : pipeline.deployTimeValues.describe(outcome.message),
      steps: outcome.steps,
      seconds: Math.round((Date.now() - started) / 10) / 100,
    };
  } finally {
    if (options.keep === undefined) {
      fs.rmSync(workRoot, { recursive: true, force: true });
    }
  }
}

const KEEP_MARKER = '.trainyard-local-run';

function prepareWorkRoot(keep: string | undefined): string {
  if (keep === undefined) {
    return fs.mkdtempSync(path.join(os.tmpdir(), 'trainyard-run-'));
  }
  const dir = path.resolve(keep);
  if (fs.existsSync(dir) && fs.readdirSync(dir).length > 0 && !fs.existsSync(path.join(dir, KEEP_MARKER))) {
    throw new TrainyardValidationError('--keep', `${keep} is not empty and not a previous local run's folder; pass an empty or new folder.`);
  }
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, KEEP_MARKER), 'The working root of `trainyard run --local`; the next run with --keep here replaces it.\n');
  return dir;
}

function chooseDataParameter(declared: ParameterDeclaration[], wanted: string | undefined): string {
  const strings = declared.filter((p) => p.Type === 'String');
  if (wanted !== undefined) {
    if (!strings.some((p) => p.Name === wanted)) {
      throw new TrainyardValidationError('--data-parameter', `must name a String parameter of the pipeline (${strings.map((p) => p.Name).join(', ') || 'none'}), got '${wanted}'`);
    }
    return wanted;
  }
  if (strings.some((p) => p.Name === 'InputDataKey')) {
    return 'InputDataKey';
  }
  const candidates = strings.filter((p) => /Data(Key|Uri|Url|Prefix)?$/i.test(p.Name));
  if (candidates.length !== 1) {
    throw new TrainyardValidationError(
      '--data-parameter',
      `name the String parameter that holds the data's S3 location (${strings.map((p) => p.Name).join(', ') || 'the pipeline has none'}).`,
    );
  }
  return candidates[0].Name;
}
