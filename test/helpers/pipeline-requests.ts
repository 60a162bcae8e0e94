import { CloudAssemblyModel, ResourceRef } from './cfn-resolver';
import { SimulatedCall } from './iam-simulation';
import { resolveTrainingJobRequest } from '../../src/pipeline/private/queued-training-request';

/**
 * The API calls a SageMaker pipeline's execution role makes for each step of the synthesized
 * definition, with the request context SageMaker derives from the step's own `Arguments`: a
 * change to the recipe (subnets, isolation, keys, instance types, tags) changes what is simulated.
 */
export interface StepRequest {
  readonly step: string;
  readonly type: 'Training' | 'Processing' | 'RegisterModel';
  /** The create call (CreateTrainingJob, CreateProcessingJob, CreateModelPackage). */
  readonly create: SimulatedCall;
  /** iam:PassRole of the step's job role, when the step runs a job. */
  readonly passRole?: SimulatedCall;
  /** sagemaker:AddTags on the new resource, when the request carries tags. */
  readonly addTags?: SimulatedCall;
}

/** The execution id the simulated jobs run under (SageMaker names pipeline jobs `pipelines-<execution id>-<step>-<random>`). */
const EXECUTION_ID = '0a1b2c3d4e5f';

/** Evaluates pipeline expressions as an execution with default parameters would. `Steps.*` references become a marker string. */
function evaluate(value: any, parameters: Record<string, unknown>, pipelineName: string): any {
  if (Array.isArray(value)) return value.map((v) => evaluate(v, parameters, pipelineName));
  if (value === null || typeof value !== 'object') return value;
  if ('Get' in value && Object.keys(value).length === 1) {
    const ref = String(value.Get);
    if (ref.startsWith('Parameters.')) {
      const name = ref.slice('Parameters.'.length);
      if (!(name in parameters)) throw new Error(`pipeline parameter ${name} has no default`);
      return parameters[name];
    }
    if (ref === 'Execution.PipelineExecutionId') return EXECUTION_ID;
    if (ref === 'Execution.PipelineName') return pipelineName;
    if (ref.startsWith('Execution.')) return `execution-${ref.slice('Execution.'.length)}`;
    return `<${ref}>`;
  }
  if ('Std:Join' in value) {
    const join = value['Std:Join'];
    return (evaluate(join.Values, parameters, pipelineName) as unknown[]).map(String).join(join.On);
  }
  if ('Std:JsonGet' in value) return `<JsonGet ${value['Std:JsonGet'].Path}>`;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, evaluate(v, parameters, pipelineName)]));
}

function tagContext(tags: Array<{ Key: string; Value: unknown }> | undefined): Record<string, string | string[]> {
  if (!tags || tags.length === 0) return {};
  return {
    ...Object.fromEntries(tags.map((t) => [`aws:RequestTag/${t.Key}`, String(t.Value)])),
    'aws:TagKeys': tags.map((t) => t.Key),
  };
}

/** Only the keys that are present: a request without a value carries no key. */
function present(context: Record<string, unknown>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(context)) {
    if (v === undefined || v === null || (Array.isArray(v) && v.length === 0)) continue;
    out[k] = Array.isArray(v) ? v.map(String) : String(v);
  }
  return out;
}

/** The pipeline definition of an `AWS::SageMaker::Pipeline`, every token resolved and every step expression evaluated with parameter defaults. */
export function pipelineDefinition(model: CloudAssemblyModel, pipeline: ResourceRef): any {
  const props = pipeline.resource.Properties;
  const body = props.PipelineDefinition?.PipelineDefinitionBody;
  if (body === undefined) throw new Error(`${pipeline.logicalId}: no PipelineDefinitionBody to read`);
  const definition = JSON.parse(model.resolve(pipeline.stack, body));
  const parameters = Object.fromEntries((definition.Parameters ?? []).map((p: any) => [p.Name, p.DefaultValue]));
  const name = model.refOf(pipeline);
  return { ...definition, Steps: withQueuedRequests(evaluate(definition.Steps, parameters, name)) };
}

/**
 * Steps with each queued training (Callback) step's request rebuilt as its submitter does: the
 * `TrainingJobRequest` template with the evaluated `RunTimeValue<n>` arguments put in place.
 */
function withQueuedRequests(steps: any[]): any[] {
  return steps.map((s) => {
    const a = s.Arguments ?? {};
    if (s.Type === 'Callback' && typeof a.TrainingJobRequest === 'string') {
      return { ...s, Arguments: { ...a, TrainingJobRequest: resolveTrainingJobRequest(a) } };
    }
    if (s.Type === 'Condition') {
      return { ...s, Arguments: { ...a, IfSteps: withQueuedRequests(a.IfSteps ?? []), ElseSteps: withQueuedRequests(a.ElseSteps ?? []) } };
    }
    return s;
  });
}

function allSteps(steps: any[]): any[] {
  return steps.flatMap((s) => [s, ...allSteps(s.Arguments?.IfSteps ?? []), ...allSteps(s.Arguments?.ElseSteps ?? [])]);
}

/** The calls each job and registration step of the pipeline makes, derived from its `Arguments`. */
export function pipelineStepRequests(model: CloudAssemblyModel, pipeline: ResourceRef): StepRequest[] {
  const { account, region } = pipeline.stack;
  const definition = pipelineDefinition(model, pipeline);
  const requests: StepRequest[] = [];
  const passRole = (roleArn: string): SimulatedCall => ({ action: 'iam:PassRole', resource: roleArn, context: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } });
  for (const step of allSteps(definition.Steps)) {
    const a = step.Arguments ?? {};
    const jobName = `pipelines-${EXECUTION_ID}-${String(step.Name).toLowerCase()}-1a2b3c4d5e`;
    if (step.Type === 'Training') {
      const arn = `arn:aws:sagemaker:${region}:${account}:training-job/${jobName}`;
      const rc = a.ResourceConfig ?? {};
      const types = rc.InstanceGroups ? rc.InstanceGroups.map((g: any) => g.InstanceType) : [rc.InstanceType];
      requests.push({
        step: step.Name,
        type: 'Training',
        create: {
          action: 'sagemaker:CreateTrainingJob',
          resource: arn,
          context: present({
            'sagemaker:InstanceTypes': types,
            'sagemaker:VpcSubnets': a.VpcConfig?.Subnets,
            'sagemaker:VpcSecurityGroupIds': a.VpcConfig?.SecurityGroupIds,
            'sagemaker:NetworkIsolation': a.EnableNetworkIsolation,
            'sagemaker:InterContainerTrafficEncryption': a.EnableInterContainerTrafficEncryption,
            'sagemaker:VolumeKmsKeyArn': rc.VolumeKmsKeyId,
            'sagemaker:OutputKmsKeyArn': a.OutputDataConfig?.KmsKeyId,
            'sagemaker:MaxRuntimeInSeconds': a.StoppingCondition?.MaxRuntimeInSeconds,
            ...tagContext(a.Tags),
          }),
        },
        passRole: passRole(a.RoleArn),
        // Tags on create are authorized as AddTags with sagemaker:TaggingAction, the create API's name (SAR).
        addTags: a.Tags ? { action: 'sagemaker:AddTags', resource: arn, context: { ...tagContext(a.Tags), 'sagemaker:TaggingAction': 'CreateTrainingJob' } } : undefined,
      });
    } else if (step.Type === 'Processing') {
      const arn = `arn:aws:sagemaker:${region}:${account}:processing-job/${jobName}`;
      const cluster = a.ProcessingResources?.ClusterConfig ?? {};
      requests.push({
        step: step.Name,
        type: 'Processing',
        create: {
          action: 'sagemaker:CreateProcessingJob',
          resource: arn,
          context: present({
            'sagemaker:InstanceTypes': [cluster.InstanceType],
            'sagemaker:VpcSubnets': a.NetworkConfig?.VpcConfig?.Subnets,
            'sagemaker:VpcSecurityGroupIds': a.NetworkConfig?.VpcConfig?.SecurityGroupIds,
            'sagemaker:NetworkIsolation': a.NetworkConfig?.EnableNetworkIsolation,
            'sagemaker:InterContainerTrafficEncryption': a.NetworkConfig?.EnableInterContainerTrafficEncryption,
            'sagemaker:VolumeKmsKeyArn': cluster.VolumeKmsKeyId,
            'sagemaker:OutputKmsKeyArn': a.ProcessingOutputConfig?.KmsKeyId,
            'sagemaker:MaxRuntimeInSeconds': a.StoppingCondition?.MaxRuntimeInSeconds,
            ...tagContext(a.Tags),
          }),
        },
        passRole: passRole(a.RoleArn),
        addTags: a.Tags ? { action: 'sagemaker:AddTags', resource: arn, context: { ...tagContext(a.Tags), 'sagemaker:TaggingAction': 'CreateProcessingJob' } } : undefined,
      });
    } else if (step.Type === 'RegisterModel') {
      const group = String(a.ModelPackageGroupName);
      const groupArn = group.startsWith('arn:') ? group : `arn:aws:sagemaker:${region}:${account}:model-package-group/${group}`;
      const [, , , r, acct, rest] = groupArn.split(':');
      const packageArn = `arn:aws:sagemaker:${r}:${acct}:model-package/${rest.split('/')[1]}/1`;
      requests.push({
        step: step.Name,
        type: 'RegisterModel',
        create: {
          action: 'sagemaker:CreateModelPackage',
          resource: packageArn,
          context: present({ 'sagemaker:ModelApprovalStatus': a.ModelApprovalStatus, ...tagContext(a.Tags) }),
        },
      });
    }
  }
  return requests;
}
