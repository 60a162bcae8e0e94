/**
 * Runs processing and training steps as local processes under the SageMaker container contract,
 * and records the steps only the service can run (model registration and the like).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DeployTimeValues, LOCAL_ACCOUNT, LOCAL_REGION } from './cfn-values';
import { ContainerCommand, ContainerPathMode, hostCommand, JobFolders } from './container-paths';
import { EvaluationError } from './expressions';
import { StepDefinition, StepExecutor, StepResult } from './interpreter';
import { describeProcessFailure, runProcess } from './job-process';
import { LocalS3 } from './local-s3';
import { resolveTrainingJobRequest, REQUEST_ARGUMENT, TrainingJobRequestError } from '../../pipeline/private/queued-training-request';

/** What the executor needs. */
export interface JobExecutorOptions {
  /** The run's working root: jobs get `jobs/<step>`, S3 is `s3/`. */
  readonly workRoot: string;
  readonly s3: LocalS3;
  readonly deployTimeValues: DeployTimeValues;
  readonly mode: ContainerPathMode;
  readonly executionId: string;
  /** The host environment (PATH, HOME, a virtualenv, ... are passed on to the jobs). */
  readonly hostEnv: Record<string, string | undefined>;
  /**
   * The Python interpreter that runs training scripts (processing steps run their own entrypoint).
   *
   * @default 'python3'
   */
  readonly python?: string;
}

/** Host variables a job keeps; everything else it gets comes from the definition, as in a container. */
const HOST_VARIABLES = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'VIRTUAL_ENV', 'CONDA_PREFIX', 'PYTHONPATH'];
const CONTAINER_ROOT = '/opt/ml';

/**
 * The local StepExecutor: Processing and Training run, and so does a queued training step (a
 * Callback step carrying a `TrainingJobRequest`, which the capacity pool would queue): its request
 * runs like a Training step's and its callback outputs (`ModelArtifacts`, `TrainingJobName`,
 * `TrainingJobArn`) are what the submitter would report. Everything else is recorded.
 */
export class LocalJobExecutor implements StepExecutor {
  private readonly python: string;

  constructor(private readonly options: JobExecutorOptions) {
    this.python = options.python ?? 'python3';
  }

  public runs(type: string, step?: StepDefinition): boolean {
    return type === 'Processing' || type === 'Training' || (type === 'Callback' && isQueuedTraining(step));
  }

  public async run(step: StepDefinition, args: any): Promise<StepResult> {
    if (step.Type === 'Callback') {
      // A queued training step: no queue locally, the training request runs at once.
      let request: Record<string, any>;
      try {
        // The request template with the step's resolved run-time values put in place, as the submitter does.
        request = resolveTrainingJobRequest(args);
      } catch (e) {
        throw e instanceof TrainingJobRequestError ? new EvaluationError(e.message) : e;
      }
      const result = await this.train(step, request);
      const p = result.properties;
      return {
        ...result,
        properties: {
          OutputParameters: {
            ModelArtifacts: p.ModelArtifacts.S3ModelArtifacts,
            TrainingJobName: p.TrainingJobName,
            TrainingJobArn: p.TrainingJobArn,
          },
        },
        detail: `${result.detail} (queued training: run at once, no capacity pool locally)`,
      };
    }
    return step.Type === 'Training' ? this.train(step, args) : this.process(step, args);
  }

  public record(step: StepDefinition, args: any): StepResult {
    if (step.Type === 'RegisterModel') {
      const container = args.InferenceSpecification?.Containers?.[0] ?? {};
      const modelUrl = String(container.ModelDataUrl ?? '');
      const local = modelUrl ? this.options.s3.source(modelUrl)?.path : undefined;
      const group = this.options.deployTimeValues.describe(String(args.ModelPackageGroupName ?? ''));
      const status = args.ModelApprovalStatus ?? 'PendingManualApproval';
      return {
        properties: { ModelPackageArn: `arn:aws:sagemaker:${LOCAL_REGION}:${LOCAL_ACCOUNT}:model-package/${group}/local`, ModelApprovalStatus: status },
        detail: `would register ${local ?? this.options.deployTimeValues.describe(modelUrl)} in model package group ${group || '(none)'} as ${status}`,
        outputs: local ? [local] : [],
      };
    }
    return { properties: {}, detail: `${step.Type} steps run only in SageMaker` };
  }

  public jsonAt(uri: string): any {
    return this.options.s3.readJson(uri);
  }

  private async process(step: StepDefinition, args: any): Promise<StepResult> {
    const job = this.prepareJob(step);
    const inputs: any[] = args.ProcessingInputs ?? [];
    for (const input of inputs) {
      if (!input.S3Input) {
        throw new EvaluationError(`input '${input.InputName}' is not an S3 input (a dataset definition); a local run reads only S3 inputs`);
      }
      this.options.s3.stage(this.concreteUri(input.S3Input.S3Uri), job.host(input.S3Input.LocalPath, `input '${input.InputName}' LocalPath`), `input '${input.InputName}'`);
    }
    const outputs: any[] = args.ProcessingOutputConfig?.Outputs ?? [];
    for (const output of outputs) {
      fs.mkdirSync(job.host(output.S3Output?.LocalPath, `output '${output.OutputName}' LocalPath`), { recursive: true });
    }
    const app = args.AppSpecification ?? {};
    if (!Array.isArray(app.ContainerEntrypoint) || app.ContainerEntrypoint.length === 0) {
      throw new EvaluationError(`has no ContainerEntrypoint: the image's own entrypoint cannot run without the image (${this.options.deployTimeValues.describe(String(app.ImageUri))})`);
    }
    const argv = [...app.ContainerEntrypoint, ...(app.ContainerArguments ?? [])].map((a, i) => this.concrete(a, `ContainerEntrypoint/ContainerArguments[${i}]`));
    const config = path.join(job.folders.optMl, 'config');
    fs.mkdirSync(config, { recursive: true });
    fs.writeFileSync(path.join(config, 'resourceconfig.json'), JSON.stringify({ current_host: 'algo-1', hosts: ['algo-1'] }));
    fs.writeFileSync(path.join(config, 'processingjobconfig.json'), JSON.stringify({ ProcessingJobName: job.name, ...this.describable(args) }));
    await this.execute(job, { argv, cwd: '/tmp', env: this.environment(args.Environment) }, args.StoppingCondition?.MaxRuntimeInSeconds);

    const landed: string[] = [];
    const byOutput = new Map<string, string>();
    for (const output of outputs) {
      const uri = this.concreteUri(output.S3Output.S3Uri);
      const target = this.options.s3.publish(job.host(output.S3Output.LocalPath, 'LocalPath'), uri);
      byOutput.set(output.OutputName, target);
      landed.push(target);
    }
    const propertyFiles: Record<string, any> = {};
    for (const file of step.PropertyFiles ?? []) {
      const dir = byOutput.get(file.OutputName);
      const full = dir ? path.join(dir, file.FilePath) : undefined;
      if (full && fs.existsSync(full)) {
        try {
          propertyFiles[file.PropertyFileName] = JSON.parse(fs.readFileSync(full, 'utf8'));
        } catch (e) {
          throw new EvaluationError(`property file ${file.PropertyFileName} (${full}) is not valid JSON: ${(e as Error).message}`);
        }
      }
    }
    return {
      properties: {
        ProcessingJobName: job.name,
        ProcessingJobArn: `arn:aws:sagemaker:${LOCAL_REGION}:${LOCAL_ACCOUNT}:processing-job/${job.name}`,
        ProcessingJobStatus: 'Completed',
        ExitMessage: '',
        ...args,
      },
      propertyFiles,
      outputs: landed,
      detail: landed.length > 0 ? `outputs in ${landed.map((l) => path.relative(this.options.workRoot, l)).join(', ')}` : undefined,
    };
  }

  private async train(step: StepDefinition, args: any): Promise<StepResult> {
    const job = this.prepareJob(step);
    const ml = job.folders.optMl;
    const channels: any[] = args.InputDataConfig ?? [];
    for (const channel of channels) {
      const uri = channel.DataSource?.S3DataSource?.S3Uri;
      if (uri === undefined) {
        throw new EvaluationError(`channel '${channel.ChannelName}' has no S3DataSource; a local run reads only S3 channels`);
      }
      this.options.s3.stage(this.concreteUri(uri), path.join(ml, 'input', 'data', channel.ChannelName), `channel '${channel.ChannelName}'`);
    }
    const hyperParameters: Record<string, string> = {};
    for (const [k, v] of Object.entries<any>(args.HyperParameters ?? {})) {
      hyperParameters[k] = this.concrete(String(v), `hyperparameter '${k}'`);
    }
    const program = decode(hyperParameters.sagemaker_program);
    const submitDirectory = decode(hyperParameters.sagemaker_submit_directory);
    if (typeof program !== 'string' || typeof submitDirectory !== 'string') {
      throw new EvaluationError(
        'is not a script-mode job (no sagemaker_program and sagemaker_submit_directory hyperparameters): the image\'s own training code cannot run without the image',
      );
    }
    const config = path.join(ml, 'input', 'config');
    fs.mkdirSync(config, { recursive: true });
    for (const dir of ['model', 'output/data', 'output/intermediate', 'code', 'checkpoints']) {
      fs.mkdirSync(path.join(ml, dir), { recursive: true });
    }
    fs.writeFileSync(path.join(config, 'hyperparameters.json'), JSON.stringify(hyperParameters));
    fs.writeFileSync(path.join(config, 'inputdataconfig.json'), JSON.stringify(Object.fromEntries(channels.map((c) => [c.ChannelName, {
      TrainingInputMode: args.AlgorithmSpecification?.TrainingInputMode ?? 'File',
      S3DistributionType: c.DataSource.S3DataSource.S3DataDistributionType ?? 'FullyReplicated',
      RecordWrapperType: 'None',
      ...(c.ContentType ? { ContentType: c.ContentType } : {}),
    }]))));
    fs.writeFileSync(path.join(config, 'resourceconfig.json'), JSON.stringify({ current_host: 'algo-1', hosts: ['algo-1'], network_interface_name: 'eth0' }));
    this.unpackCode(submitDirectory, ml, path.join(ml, 'code'));

    // Script mode (the SageMaker training toolkit): user hyperparameters, JSON-decoded, become
    // `--name value` arguments in sorted order, and SM_* variables describe the container.
    const user = Object.fromEntries(Object.entries(hyperParameters).filter(([k]) => !k.startsWith('sagemaker_')).map(([k, v]) => [k, decode(v)]));
    const userArgs = Object.keys(user).sort().flatMap((k) => [k.length > 1 ? `--${k}` : `-${k}`, argument(user[k])]);
    const channelNames = channels.map((c) => c.ChannelName);
    const smEnv: Record<string, string> = {
      SM_MODEL_DIR: `${CONTAINER_ROOT}/model`,
      SM_INPUT_DIR: `${CONTAINER_ROOT}/input`,
      SM_INPUT_CONFIG_DIR: `${CONTAINER_ROOT}/input/config`,
      SM_OUTPUT_DIR: `${CONTAINER_ROOT}/output`,
      SM_OUTPUT_DATA_DIR: `${CONTAINER_ROOT}/output/data`,
      SM_OUTPUT_INTERMEDIATE_DIR: `${CONTAINER_ROOT}/output/intermediate`,
      SM_CHANNELS: JSON.stringify(channelNames),
      ...Object.fromEntries(channelNames.map((c) => [`SM_CHANNEL_${c.toUpperCase()}`, `${CONTAINER_ROOT}/input/data/${c}`])),
      SM_HPS: JSON.stringify(Object.fromEntries(Object.keys(user).sort().map((k) => [k, user[k]]))),
      ...Object.fromEntries(Object.entries(user).map(([k, v]) => [`SM_HP_${k.toUpperCase()}`, typeof v === 'string' ? v : JSON.stringify(v)])),
      SM_USER_ARGS: JSON.stringify(userArgs),
      SM_USER_ENTRY_POINT: program,
      SM_MODULE_NAME: program.replace(/\.py$/, ''),
      SM_MODULE_DIR: submitDirectory,
      SM_CURRENT_HOST: 'algo-1',
      SM_HOSTS: JSON.stringify(['algo-1']),
      SM_NETWORK_INTERFACE_NAME: 'eth0',
      SM_NUM_GPUS: '0',
      SM_NUM_CPUS: String(os.cpus().length),
      SM_LOG_LEVEL: String(decode(hyperParameters.sagemaker_container_log_level ?? '20')),
      TRAINING_JOB_NAME: job.name,
    };
    const env = { ...smEnv, ...this.environment(args.Environment) };
    const outcome = await this.execute(job, { argv: [this.python, program, ...userArgs], cwd: `${CONTAINER_ROOT}/code`, env }, args.StoppingCondition?.MaxRuntimeInSeconds);

    // SageMaker uploads the model directory as model.tar.gz (and output/data as output.tar.gz).
    const outputPath = this.concreteUri(String(args.OutputDataConfig?.S3OutputPath ?? 's3://local-output/')).replace(/\/+$/, '');
    const modelUri = `${outputPath}/${job.name}/output/model.tar.gz`;
    const modelFile = this.options.s3.pathOf(modelUri);
    tarDirectory(path.join(ml, 'model'), modelFile);
    tarDirectory(path.join(ml, 'output', 'data'), path.join(path.dirname(modelFile), 'output.tar.gz'));

    const finalMetrics = (args.AlgorithmSpecification?.MetricDefinitions ?? []).flatMap((m: any) => {
      const values = [...outcome.matchAll(new RegExp(m.Regex, 'g'))].map((x) => Number(x[1])).filter((n) => Number.isFinite(n));
      return values.length > 0 ? [{ MetricName: m.Name, Value: values[values.length - 1], Timestamp: new Date().toISOString() }] : [];
    });
    return {
      properties: {
        TrainingJobName: job.name,
        TrainingJobArn: `arn:aws:sagemaker:${LOCAL_REGION}:${LOCAL_ACCOUNT}:training-job/${job.name}`,
        TrainingJobStatus: 'Completed',
        SecondaryStatus: 'Completed',
        ...args,
        ModelArtifacts: { S3ModelArtifacts: modelUri },
        FinalMetricDataList: finalMetrics,
      },
      outputs: [modelFile],
      detail: `model in ${path.relative(this.options.workRoot, modelFile)}${finalMetrics.length > 0 ? ` (${finalMetrics.map((m: any) => `${m.MetricName}=${m.Value}`).join(', ')})` : ''}`,
    };
  }

  /** The job's folders, fresh. */
  private prepareJob(step: StepDefinition) {
    const dir = path.join(this.options.workRoot, 'jobs', step.Name);
    fs.rmSync(dir, { recursive: true, force: true });
    const folders: JobFolders = { optMl: path.join(dir, 'opt-ml'), tmp: path.join(dir, 'tmp'), scratch: path.join(dir, 'mounts') };
    for (const f of Object.values(folders)) fs.mkdirSync(f, { recursive: true });
    const name = `pipelines-${this.options.executionId}-${step.Name}`.slice(0, 63);
    return {
      dir,
      name,
      folders,
      /** The host path of a container path under /opt/ml. */
      host: (containerPath: unknown, what: string): string => {
        const p = String(containerPath ?? '');
        if (p !== CONTAINER_ROOT && !p.startsWith(`${CONTAINER_ROOT}/`)) {
          throw new EvaluationError(`${what} '${p}' is not under ${CONTAINER_ROOT}; SageMaker requires it there`);
        }
        return path.join(folders.optMl, p.slice(CONTAINER_ROOT.length));
      },
    };
  }

  /** Runs the command; throws with the reason when it fails. Returns its output. */
  private async execute(job: ReturnType<LocalJobExecutor['prepareJob']>, command: ContainerCommand, maxRuntime?: number): Promise<string> {
    const base: Record<string, string> = { PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1' };
    for (const name of HOST_VARIABLES) {
      const v = this.options.hostEnv[name];
      if (v !== undefined) base[name] = v;
    }
    const host = hostCommand(command, this.options.mode, job.folders, base);
    const log = path.join(job.dir, 'output.log');
    const hostHadOptMl = fs.existsSync(CONTAINER_ROOT);
    const outcome = await runProcess(host, log, typeof maxRuntime === 'number' ? maxRuntime : undefined);
    if (this.options.mode === 'rewrite' && !hostHadOptMl && fs.existsSync(CONTAINER_ROOT)) {
      throw new EvaluationError(
        `wrote to the host's ${CONTAINER_ROOT} (created during this step) through a container path the definition does not pass, which path rewriting cannot move: `
        + 'pass the path as an argument or environment variable in the definition, or run where unshare works. Remove the host\'s /opt/ml after checking it.',
      );
    }
    if (outcome.status !== 0 || outcome.signal) {
      const interpreter = command.argv.join(' ').includes('python') ? 'python3' : command.argv[0];
      throw new EvaluationError(`${describeProcessFailure(outcome, interpreter)} (log: ${log})`);
    }
    return outcome.output;
  }

  private unpackCode(submitDirectory: string, optMl: string, codeDir: string): void {
    let archive: string;
    if (submitDirectory === CONTAINER_ROOT || submitDirectory.startsWith(`${CONTAINER_ROOT}/`)) {
      archive = path.join(optMl, submitDirectory.slice(CONTAINER_ROOT.length));
    } else if (submitDirectory.startsWith('s3://')) {
      const staged = path.join(optMl, '..', 'submit');
      this.options.s3.stage(this.concreteUri(submitDirectory), staged, 'sagemaker_submit_directory');
      archive = path.join(staged, fs.readdirSync(staged)[0] ?? '');
    } else {
      throw new EvaluationError(`sagemaker_submit_directory '${submitDirectory}' is neither an S3 URI nor a path under ${CONTAINER_ROOT}`);
    }
    if (!fs.existsSync(archive)) {
      throw new EvaluationError(`sagemaker_submit_directory '${submitDirectory}' is not there locally (${archive})`);
    }
    if (fs.statSync(archive).isDirectory()) {
      fs.cpSync(archive, codeDir, { recursive: true });
      return;
    }
    const result = spawnSync('tar', ['-xzf', archive, '-C', codeDir], { encoding: 'utf8' });
    if (result.status !== 0) {
      throw new EvaluationError(`cannot unpack sagemaker_submit_directory ${archive}: ${(result.stderr || result.error?.message || '').trim()}`);
    }
  }

  private environment(env: any): Record<string, string> {
    return Object.fromEntries(Object.entries<any>(env ?? {}).map(([k, v]) => [k, this.concrete(String(v), `environment variable ${k}`)]));
  }

  /** `value`, failing when it holds a deploy-time value a local run cannot stand in for. */
  private concrete(value: any, what: string): string {
    const text = String(value);
    const unresolved = this.options.deployTimeValues.inside(text);
    if (unresolved.length > 0) {
      throw new EvaluationError(`${what} is ${this.options.deployTimeValues.describe(text)}, which holds ${unresolved.map((u) => u.description).join(', ')}: a deploy-time value with no local stand-in`);
    }
    return text;
  }

  /** An S3 URI: deploy-time bucket names are fine (they become folders); deploy-time keys are not. */
  private concreteUri(value: any): string {
    const text = String(value);
    const key = text.replace(/^s3:\/\/[^/]*/, '');
    if (this.options.deployTimeValues.inside(key).length > 0) {
      this.concrete(key, `the key of ${this.options.deployTimeValues.describe(text)}`);
    }
    return text;
  }

  /** The arguments as the job log records them (no deploy-time values). */
  private describable(args: any): any {
    return JSON.parse(this.options.deployTimeValues.describe(JSON.stringify(args)));
  }
}

function decode(value: string | undefined): any {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** A decoded hyperparameter as the toolkit passes it on the command line. */
function argument(value: any): string {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    return Object.keys(value).sort().map((k) => `${k}=${value[k]}`).join(',');
  }
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  return String(value);
}

/** Writes `directory`'s entries (not `./`-prefixed, as SageMaker's model.tar.gz) to a gzip tar `file`. */
function tarDirectory(directory: string, file: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const entries = fs.existsSync(directory) ? fs.readdirSync(directory).sort() : [];
  const args = entries.length > 0 ? ['-czf', file, '-C', directory, '--', ...entries] : ['-czf', file, '-T', '/dev/null'];
  const result = spawnSync('tar', args, { encoding: 'utf8' });
  if (result.status !== 0) {
    throw new EvaluationError(`cannot write ${file}: ${(result.stderr || result.error?.message || '').trim()}`);
  }
}

/** A Callback step of `QueuedTrainingStep`: its arguments carry the CreateTrainingJob request (a JSON string template). */
function isQueuedTraining(step: StepDefinition | undefined): boolean {
  const request = (step?.Arguments as any)?.[REQUEST_ARGUMENT];
  return typeof request === 'string' || (request !== null && typeof request === 'object');
}
