import { at, isPresent, ResolvedResource, tagMap } from './cfn';
import { allSteps, argumentValue, readPipelineDefinition } from './pipeline-definition';

/**
 * One training or processing job as a rule sees it, in CreateTrainingJob / CreateProcessingJob
 * terms, whether it is a step of a pipeline definition or a CloudFormation resource.
 * Pipeline parameter references are replaced by their default values.
 *
 * @internal
 */
export interface SageMakerJobView {
  readonly kind: 'training' | 'processing';
  /** Where the job is: `step 'Train'` or `resource`. */
  readonly location: string;
  readonly subnets: unknown;
  readonly networkIsolation: unknown;
  readonly interContainerEncryption: unknown;
  /** Instances in the cluster (InstanceCount, or the sum of a heterogeneous cluster's InstanceGroups). */
  readonly instanceCount: unknown;
  readonly instanceTypes: unknown[];
  readonly volumeKmsKeyId: unknown;
  readonly outputKmsKeyId: unknown;
  readonly maxRuntimeInSeconds: unknown;
  readonly managedSpot: unknown;
  readonly checkpointS3Uri: unknown;
  readonly tags: Record<string, unknown>;
}

/** The monitoring job definition types, all in CreateProcessingJob-like shape. */
const JOB_DEFINITION_OUTPUTS: Record<string, string> = {
  'AWS::SageMaker::DataQualityJobDefinition': 'DataQualityJobOutputConfig',
  'AWS::SageMaker::ModelQualityJobDefinition': 'ModelQualityJobOutputConfig',
  'AWS::SageMaker::ModelBiasJobDefinition': 'ModelBiasJobOutputConfig',
  'AWS::SageMaker::ModelExplainabilityJobDefinition': 'ModelExplainabilityJobOutputConfig',
};

/**
 * The outcome of looking for jobs in a resource: `undefined` when the resource type holds none,
 * `unreadable` for a pipeline whose definition cannot be read, otherwise the jobs.
 *
 * @internal
 */
export type JobsOf = undefined | 'unreadable' | SageMakerJobView[];

/**
 * The training and processing jobs a resource starts:
 * - `AWS::SageMaker::Pipeline`: its Training, Tuning and Processing steps (Condition branches included);
 * - `AWS::SageMaker::ProcessingJob`;
 * - the four monitoring job definitions and `AWS::SageMaker::MonitoringSchedule` (inline definition).
 *
 * @internal
 */
export function sageMakerJobs(resource: ResolvedResource): JobsOf {
  const p = resource.properties;
  switch (resource.type) {
    case 'AWS::SageMaker::Pipeline': {
      const read = readPipelineDefinition(p);
      if (!read.readable) return 'unreadable';
      const def = read.definition;
      const jobs: SageMakerJobView[] = [];
      for (const step of allSteps(def)) {
        const args = step.Arguments ?? {};
        const value = (v: unknown) => argumentValue(def, v);
        const location = `step '${String(step.Name)}'`;
        if (step.Type === 'Training') {
          jobs.push(trainingJob(location, args, value));
        } else if (step.Type === 'Tuning') {
          // CreateHyperParameterTuningJob: each training job is described by TrainingJobDefinition.
          const definitions = [args.TrainingJobDefinition, ...(Array.isArray(args.TrainingJobDefinitions) ? args.TrainingJobDefinitions : [])];
          definitions.filter(Boolean).forEach((d: any) => jobs.push(trainingJob(location, d, value)));
        } else if (step.Type === 'Processing') {
          jobs.push(processingJob(location, args, value));
        }
      }
      return jobs;
    }
    case 'AWS::SageMaker::ProcessingJob':
      return [processingJob('resource', p, (v) => v)];
    case 'AWS::SageMaker::MonitoringSchedule': {
      const def = at(p, 'MonitoringScheduleConfig.MonitoringJobDefinition');
      if (!def) return []; // refers to a job definition resource, judged on its own
      return [monitoringJob('resource', def, 'MonitoringOutputConfig', 'MonitoringResources')];
    }
    default: {
      const output = JOB_DEFINITION_OUTPUTS[resource.type];
      return output ? [monitoringJob('resource', p, output, 'JobResources')] : undefined;
    }
  }
}

function trainingJob(location: string, args: any, value: (v: unknown) => unknown): SageMakerJobView {
  const groups = at(args, 'ResourceConfig.InstanceGroups');
  let instanceCount = value(at(args, 'ResourceConfig.InstanceCount'));
  let instanceTypes: unknown[] = [value(at(args, 'ResourceConfig.InstanceType'))];
  if (Array.isArray(groups) && groups.length > 0) {
    const counts = groups.map((g: any) => value(g?.InstanceCount));
    instanceCount = counts.every((c) => typeof c === 'number') ? (counts as number[]).reduce((a, b) => a + b, 0) : counts.find((c) => typeof c !== 'number');
    instanceTypes = groups.map((g: any) => value(g?.InstanceType));
  }
  return {
    kind: 'training',
    location,
    subnets: value(at(args, 'VpcConfig.Subnets')),
    networkIsolation: value(args.EnableNetworkIsolation),
    interContainerEncryption: value(args.EnableInterContainerTrafficEncryption),
    instanceCount,
    instanceTypes: instanceTypes.filter((t) => t !== undefined),
    volumeKmsKeyId: value(at(args, 'ResourceConfig.VolumeKmsKeyId')),
    outputKmsKeyId: value(at(args, 'OutputDataConfig.KmsKeyId')),
    maxRuntimeInSeconds: value(at(args, 'StoppingCondition.MaxRuntimeInSeconds')),
    managedSpot: value(args.EnableManagedSpotTraining),
    checkpointS3Uri: value(at(args, 'CheckpointConfig.S3Uri')),
    tags: tagMap(args.Tags),
  };
}

function processingJob(location: string, args: any, value: (v: unknown) => unknown): SageMakerJobView {
  return {
    kind: 'processing',
    location,
    subnets: value(at(args, 'NetworkConfig.VpcConfig.Subnets')),
    networkIsolation: value(at(args, 'NetworkConfig.EnableNetworkIsolation')),
    interContainerEncryption: value(at(args, 'NetworkConfig.EnableInterContainerTrafficEncryption')),
    instanceCount: value(at(args, 'ProcessingResources.ClusterConfig.InstanceCount')),
    instanceTypes: [value(at(args, 'ProcessingResources.ClusterConfig.InstanceType'))].filter((t) => t !== undefined),
    volumeKmsKeyId: value(at(args, 'ProcessingResources.ClusterConfig.VolumeKmsKeyId')),
    outputKmsKeyId: value(at(args, 'ProcessingOutputConfig.KmsKeyId')),
    maxRuntimeInSeconds: value(at(args, 'StoppingCondition.MaxRuntimeInSeconds')),
    managedSpot: undefined,
    checkpointS3Uri: undefined,
    tags: tagMap(args.Tags),
  };
}

function monitoringJob(location: string, def: any, outputConfig: string, resources: string): SageMakerJobView {
  return {
    kind: 'processing',
    location,
    subnets: at(def, 'NetworkConfig.VpcConfig.Subnets'),
    networkIsolation: at(def, 'NetworkConfig.EnableNetworkIsolation'),
    interContainerEncryption: at(def, 'NetworkConfig.EnableInterContainerTrafficEncryption'),
    instanceCount: at(def, `${resources}.ClusterConfig.InstanceCount`),
    instanceTypes: [at(def, `${resources}.ClusterConfig.InstanceType`)].filter((t) => t !== undefined),
    volumeKmsKeyId: at(def, `${resources}.ClusterConfig.VolumeKmsKeyId`),
    outputKmsKeyId: at(def, `${outputConfig}.KmsKeyId`),
    maxRuntimeInSeconds: at(def, 'StoppingCondition.MaxRuntimeInSeconds'),
    managedSpot: undefined,
    checkpointS3Uri: undefined,
    tags: {},
  };
}

/** True when a job's instance count is, or may be, more than one (a count that is not a literal number counts). @internal */
export function mayBeMultiInstance(count: unknown): boolean {
  if (count === undefined) return false; // the APIs default to one instance
  if (typeof count === 'number') return count > 1;
  if (typeof count === 'string' && /^\d+$/.test(count)) return Number(count) > 1;
  return isPresent(count);
}
