import Ajv from 'ajv';

/**
 * Trainyard's own rendering of the rules of the SageMaker pipeline definition schema that matter
 * (published as schema/pipeline-definition.schema.json in
 * aws-sagemaker-mlops/sagemaker-model-building-pipeline-definition-JSON-schema): version, name
 * patterns, parameter types, step types and their required arguments, retry policy exception
 * types, condition shapes and the Get / Std:Join / Std:JsonGet functions.
 *
 * Deliberate differences from the published file, which lags the service and the SageMaker Python
 * SDK: `PipelineExperimentConfig` at the top level, `CacheConfig` / `PropertyFiles` on steps,
 * `RetryStrategy` and `KeepAlivePeriodInSeconds` in training arguments, `ModelApprovalStatus` in
 * register-model arguments, `ExceptionType` as a list, `Fail` steps at the top level, and
 * `Std:JsonGet` / `Std:Join` wherever a value is accepted.
 */
const NAME = { type: 'string', pattern: '^[A-Za-z0-9\\-_]{1,64}$' };
const GET = {
  type: 'object',
  properties: { Get: { type: 'string', pattern: '^(Parameters\\.[A-Za-z0-9\\-_]{1,64}|Execution\\.(PipelineExecutionId|PipelineExecutionArn|PipelineName|PipelineArn|StartDateTime|CurrentDateTime)|Steps\\.[A-Za-z0-9\\-_]{1,64}\\..+)$' } },
  required: ['Get'],
  additionalProperties: false,
};
const JSON_GET = {
  type: 'object',
  properties: {
    'Std:JsonGet': {
      type: 'object',
      properties: { PropertyFile: { type: 'object', properties: { Get: { type: 'string', pattern: '^Steps\\.[A-Za-z0-9\\-_]{1,64}\\.PropertyFiles\\.[A-Za-z0-9\\-_]+$' } }, required: ['Get'], additionalProperties: false }, Path: { type: 'string', minLength: 1 } },
      required: ['PropertyFile', 'Path'],
      additionalProperties: false,
    },
  },
  required: ['Std:JsonGet'],
  additionalProperties: false,
};
const EXPRESSION = { anyOf: [{ $ref: '#/definitions/Get' }, { $ref: '#/definitions/Join' }, { $ref: '#/definitions/JsonGet' }] };
const STRING_VALUE = { anyOf: [{ type: 'string' }, EXPRESSION] };
const INTEGER_VALUE = { anyOf: [{ type: 'integer' }, { $ref: '#/definitions/Get' }] };
const BOOLEAN_VALUE = { anyOf: [{ type: 'boolean' }, { $ref: '#/definitions/Get' }] };
const ANY_VALUE = { anyOf: [{ type: ['string', 'number', 'boolean'] }, EXPRESSION] };
const STRING_LIST = { type: 'array', items: STRING_VALUE };
const VPC = { type: 'object', properties: { SecurityGroupIds: { type: 'array', minItems: 1, maxItems: 5, items: STRING_VALUE }, Subnets: { type: 'array', minItems: 1, maxItems: 16, items: STRING_VALUE } }, required: ['SecurityGroupIds', 'Subnets'], additionalProperties: false };
const TAGS = { type: 'array', maxItems: 50, items: { type: 'object', properties: { Key: STRING_VALUE, Value: STRING_VALUE }, required: ['Key', 'Value'], additionalProperties: false } };

const STEP_COMMON = {
  Name: NAME,
  DisplayName: NAME,
  Description: { type: 'string', maxLength: 4096 },
  DependsOn: { type: 'array', items: NAME },
};
const RETRY = {
  type: 'array',
  items: {
    type: 'object',
    properties: {
      ExceptionType: { type: 'array', minItems: 1, items: { enum: ['Step.SERVICE_FAULT', 'Step.THROTTLING', 'SageMaker.JOB_INTERNAL_ERROR', 'SageMaker.CAPACITY_ERROR', 'SageMaker.RESOURCE_LIMIT'] } },
      IntervalSeconds: { type: 'integer', minimum: 1 },
      BackoffRate: { type: 'number', minimum: 1 },
      MaxAttempts: { type: 'integer', minimum: 1, maximum: 20 },
      ExpireAfterMin: { type: 'integer', minimum: 1, maximum: 14400 },
    },
    required: ['ExceptionType'],
    additionalProperties: false,
  },
};
const CACHE = { type: 'object', properties: { Enabled: { type: 'boolean' }, ExpireAfter: { type: 'string', pattern: '^P' } }, required: ['Enabled'], additionalProperties: false };

const TRAINING_ARGUMENTS = {
  type: 'object',
  properties: {
    AlgorithmSpecification: {
      type: 'object',
      properties: {
        TrainingImage: STRING_VALUE,
        TrainingInputMode: { enum: ['File', 'Pipe', 'FastFile'] },
        MetricDefinitions: { type: 'array', maxItems: 40, items: { type: 'object', properties: { Name: { type: 'string' }, Regex: { type: 'string' } }, required: ['Name', 'Regex'], additionalProperties: false } },
      },
      required: ['TrainingImage', 'TrainingInputMode'],
      additionalProperties: false,
    },
    RoleArn: STRING_VALUE,
    OutputDataConfig: { type: 'object', properties: { S3OutputPath: STRING_VALUE, KmsKeyId: STRING_VALUE }, required: ['S3OutputPath'], additionalProperties: false },
    ResourceConfig: {
      type: 'object',
      properties: {
        InstanceType: STRING_VALUE,
        InstanceCount: INTEGER_VALUE,
        VolumeSizeInGB: INTEGER_VALUE,
        VolumeKmsKeyId: STRING_VALUE,
        KeepAlivePeriodInSeconds: { type: 'integer', minimum: 0, maximum: 3600 },
        TrainingPlanArn: STRING_VALUE,
      },
      required: ['InstanceType', 'InstanceCount', 'VolumeSizeInGB'],
      additionalProperties: false,
    },
    StoppingCondition: { type: 'object', properties: { MaxRuntimeInSeconds: INTEGER_VALUE, MaxWaitTimeInSeconds: INTEGER_VALUE }, required: ['MaxRuntimeInSeconds'], additionalProperties: false },
    VpcConfig: VPC,
    EnableNetworkIsolation: BOOLEAN_VALUE,
    EnableInterContainerTrafficEncryption: BOOLEAN_VALUE,
    EnableManagedSpotTraining: BOOLEAN_VALUE,
    CheckpointConfig: { type: 'object', properties: { S3Uri: STRING_VALUE, LocalPath: STRING_VALUE }, required: ['S3Uri'], additionalProperties: false },
    RetryStrategy: { type: 'object', properties: { MaximumRetryAttempts: { type: 'integer', minimum: 1, maximum: 30 } }, required: ['MaximumRetryAttempts'], additionalProperties: false },
    HyperParameters: { type: 'object', maxProperties: 100, additionalProperties: STRING_VALUE },
    InputDataConfig: {
      type: 'array',
      maxItems: 20,
      items: {
        type: 'object',
        properties: {
          ChannelName: { type: 'string', pattern: '^[A-Za-z0-9\\.\\-_]+$' },
          ContentType: { type: 'string' },
          DataSource: {
            type: 'object',
            properties: { S3DataSource: { type: 'object', properties: { S3DataType: { enum: ['S3Prefix', 'ManifestFile', 'AugmentedManifestFile'] }, S3Uri: STRING_VALUE, S3DataDistributionType: { enum: ['FullyReplicated', 'ShardedByS3Key'] } }, required: ['S3DataType', 'S3Uri'], additionalProperties: false } },
            required: ['S3DataSource'],
            additionalProperties: false,
          },
        },
        required: ['ChannelName', 'DataSource'],
        additionalProperties: false,
      },
    },
    Environment: { type: 'object', additionalProperties: STRING_VALUE },
    Tags: TAGS,
  },
  required: ['AlgorithmSpecification', 'OutputDataConfig', 'ResourceConfig', 'RoleArn', 'StoppingCondition'],
  additionalProperties: false,
};

const PROCESSING_ARGUMENTS = {
  type: 'object',
  properties: {
    ProcessingResources: {
      type: 'object',
      properties: { ClusterConfig: { type: 'object', properties: { InstanceType: STRING_VALUE, InstanceCount: INTEGER_VALUE, VolumeSizeInGB: INTEGER_VALUE, VolumeKmsKeyId: STRING_VALUE }, required: ['InstanceType', 'InstanceCount', 'VolumeSizeInGB'], additionalProperties: false } },
      required: ['ClusterConfig'],
      additionalProperties: false,
    },
    AppSpecification: { type: 'object', properties: { ImageUri: STRING_VALUE, ContainerEntrypoint: STRING_LIST, ContainerArguments: STRING_LIST }, required: ['ImageUri'], additionalProperties: false },
    RoleArn: STRING_VALUE,
    ProcessingInputs: {
      type: 'array',
      maxItems: 10,
      items: {
        type: 'object',
        properties: {
          InputName: { type: 'string' },
          S3Input: {
            type: 'object',
            properties: { S3Uri: STRING_VALUE, LocalPath: { type: 'string', pattern: '^/opt/ml/processing/' }, S3DataType: { enum: ['S3Prefix', 'ManifestFile'] }, S3InputMode: { enum: ['File', 'Pipe'] }, S3DataDistributionType: { enum: ['FullyReplicated', 'ShardedByS3Key'] } },
            required: ['S3Uri', 'LocalPath', 'S3DataType', 'S3InputMode'],
            additionalProperties: false,
          },
        },
        required: ['InputName', 'S3Input'],
        additionalProperties: false,
      },
    },
    ProcessingOutputConfig: {
      type: 'object',
      properties: {
        KmsKeyId: STRING_VALUE,
        Outputs: {
          type: 'array',
          maxItems: 10,
          items: {
            type: 'object',
            properties: { OutputName: { type: 'string' }, S3Output: { type: 'object', properties: { S3Uri: STRING_VALUE, LocalPath: { type: 'string', pattern: '^/opt/ml/processing/' }, S3UploadMode: { enum: ['Continuous', 'EndOfJob'] } }, required: ['S3Uri', 'LocalPath', 'S3UploadMode'], additionalProperties: false } },
            required: ['OutputName', 'S3Output'],
            additionalProperties: false,
          },
        },
      },
      required: ['Outputs'],
      additionalProperties: false,
    },
    NetworkConfig: { type: 'object', properties: { EnableNetworkIsolation: BOOLEAN_VALUE, EnableInterContainerTrafficEncryption: BOOLEAN_VALUE, VpcConfig: VPC }, additionalProperties: false },
    StoppingCondition: { type: 'object', properties: { MaxRuntimeInSeconds: { type: 'integer', minimum: 1, maximum: 777600 } }, required: ['MaxRuntimeInSeconds'], additionalProperties: false },
    Environment: { type: 'object', additionalProperties: STRING_VALUE },
    Tags: TAGS,
  },
  required: ['ProcessingResources', 'AppSpecification', 'RoleArn'],
  additionalProperties: false,
};

const REGISTER_ARGUMENTS = {
  type: 'object',
  properties: {
    ModelPackageGroupName: { type: 'string', minLength: 1, maxLength: 170 },
    ModelApprovalStatus: { enum: ['PendingManualApproval', 'Approved', 'Rejected'] },
    InferenceSpecification: {
      type: 'object',
      properties: {
        Containers: { type: 'array', minItems: 1, maxItems: 15, items: { type: 'object', properties: { Image: STRING_VALUE, ModelDataUrl: STRING_VALUE }, required: ['Image'], additionalProperties: false } },
        SupportedContentTypes: STRING_LIST,
        SupportedResponseMIMETypes: STRING_LIST,
        SupportedRealtimeInferenceInstanceTypes: STRING_LIST,
        SupportedTransformInstanceTypes: STRING_LIST,
      },
      required: ['Containers'],
      additionalProperties: false,
    },
    ModelMetrics: {
      type: 'object',
      properties: { ModelQuality: { type: 'object', properties: { Statistics: { type: 'object', properties: { ContentType: { type: 'string' }, S3Uri: STRING_VALUE }, required: ['ContentType', 'S3Uri'], additionalProperties: false } }, additionalProperties: false } },
      additionalProperties: false,
    },
    ModelPackageDescription: { type: 'string', maxLength: 1024 },
  },
  required: ['ModelPackageGroupName', 'ModelApprovalStatus', 'InferenceSpecification'],
  additionalProperties: false,
};

const SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  definitions: {
    Get: GET,
    JsonGet: JSON_GET,
    Join: {
      type: 'object',
      properties: { 'Std:Join': { type: 'object', properties: { On: { type: 'string' }, Values: { type: 'array', minItems: 1, items: ANY_VALUE } }, required: ['On', 'Values'], additionalProperties: false } },
      required: ['Std:Join'],
      additionalProperties: false,
    },
    Condition: {
      oneOf: [
        { type: 'object', properties: { Type: { enum: ['Equals', 'NotEquals', 'GreaterThan', 'GreaterThanOrEqualTo', 'LessThan', 'LessThanOrEqualTo'] }, LeftValue: ANY_VALUE, RightValue: ANY_VALUE }, required: ['Type', 'LeftValue', 'RightValue'], additionalProperties: false },
        { type: 'object', properties: { Type: { const: 'In' }, QueryValue: ANY_VALUE, Values: { type: 'array', minItems: 1, items: ANY_VALUE } }, required: ['Type', 'QueryValue', 'Values'], additionalProperties: false },
        { type: 'object', properties: { Type: { const: 'Not' }, Expression: { $ref: '#/definitions/Condition' } }, required: ['Type', 'Expression'], additionalProperties: false },
        { type: 'object', properties: { Type: { const: 'Or' }, Conditions: { type: 'array', minItems: 1, items: { $ref: '#/definitions/Condition' } } }, required: ['Type', 'Conditions'], additionalProperties: false },
      ],
    },
    Step: {
      oneOf: [
        { type: 'object', properties: { ...STEP_COMMON, Type: { const: 'Training' }, Arguments: TRAINING_ARGUMENTS, RetryPolicies: RETRY, CacheConfig: CACHE }, required: ['Name', 'Type', 'Arguments'], additionalProperties: false },
        {
          type: 'object',
          properties: {
            ...STEP_COMMON,
            Type: { const: 'Processing' },
            Arguments: PROCESSING_ARGUMENTS,
            RetryPolicies: RETRY,
            CacheConfig: CACHE,
            PropertyFiles: { type: 'array', items: { type: 'object', properties: { PropertyFileName: NAME, OutputName: { type: 'string' }, FilePath: { type: 'string' } }, required: ['PropertyFileName', 'OutputName', 'FilePath'], additionalProperties: false } },
          },
          required: ['Name', 'Type', 'Arguments'],
          additionalProperties: false,
        },
        { type: 'object', properties: { ...STEP_COMMON, Type: { const: 'RegisterModel' }, Arguments: REGISTER_ARGUMENTS, RetryPolicies: RETRY, CacheConfig: CACHE }, required: ['Name', 'Type', 'Arguments'], additionalProperties: false },
        {
          type: 'object',
          properties: {
            ...STEP_COMMON,
            Type: { const: 'Condition' },
            Arguments: {
              type: 'object',
              properties: { Conditions: { type: 'array', minItems: 1, items: { $ref: '#/definitions/Condition' } }, IfSteps: { type: 'array', items: { $ref: '#/definitions/Step' } }, ElseSteps: { type: 'array', items: { $ref: '#/definitions/Step' } } },
              required: ['Conditions'],
              additionalProperties: false,
            },
          },
          required: ['Name', 'Type', 'Arguments'],
          additionalProperties: false,
        },
        {
          // The published schema's Callback step: SqsQueueUrl, Arguments and typed OutputParameters (no
          // RetryPolicies). Its Arguments are the step's inputs, which the SageMaker Python SDK's
          // CallbackStep renders as a flat map: each value a primitive or ONE pipeline expression, never a
          // nested object. Trainyard's QueuedTrainingStep carries the CreateTrainingJob request as a JSON
          // string template whose run-time values are the RunTimeValue<n> arguments.
          type: 'object',
          properties: {
            ...STEP_COMMON,
            Type: { const: 'Callback' },
            SqsQueueUrl: { type: 'string', minLength: 1 },
            Arguments: {
              type: 'object',
              additionalProperties: ANY_VALUE,
              patternProperties: { '^RunTimeValue[0-9]+$': EXPRESSION },
              properties: {
                TrainingJobRequest: { type: 'string', minLength: 2 },
                JobQueue: { type: 'string' },
                QuotaShareName: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,128}$' },
                SchedulingPriority: { type: 'integer', minimum: 0, maximum: 9999 },
                PreemptionRetries: { type: 'integer', minimum: 0, maximum: 10 },
                StepName: NAME,
              },
            },
            OutputParameters: {
              type: 'array',
              items: { type: 'object', properties: { OutputName: { type: 'string' }, OutputType: { enum: ['String', 'Integer', 'Boolean', 'Float'] } }, required: ['OutputName'], additionalProperties: false },
            },
            CacheConfig: CACHE,
          },
          required: ['Name', 'Type', 'SqsQueueUrl'],
          additionalProperties: false,
        },
        { type: 'object', properties: { ...STEP_COMMON, Type: { const: 'Fail' }, Arguments: { type: 'object', properties: { ErrorMessage: STRING_VALUE }, additionalProperties: false } }, required: ['Name', 'Type', 'Arguments'], additionalProperties: false },
      ],
    },
    Parameter: {
      oneOf: [
        { type: 'object', properties: { Name: NAME, Type: { const: 'String' }, DefaultValue: { type: 'string', maxLength: 4096 }, Description: { type: 'string', maxLength: 4096 } }, required: ['Name', 'Type'], additionalProperties: false },
        { type: 'object', properties: { Name: NAME, Type: { const: 'Integer' }, DefaultValue: { type: 'integer' }, Description: { type: 'string', maxLength: 4096 } }, required: ['Name', 'Type'], additionalProperties: false },
        { type: 'object', properties: { Name: NAME, Type: { const: 'Float' }, DefaultValue: { type: 'number' }, Description: { type: 'string', maxLength: 4096 } }, required: ['Name', 'Type'], additionalProperties: false },
        { type: 'object', properties: { Name: NAME, Type: { const: 'Boolean' }, DefaultValue: { type: 'boolean' }, Description: { type: 'string', maxLength: 4096 } }, required: ['Name', 'Type'], additionalProperties: false },
      ],
    },
  },
  properties: {
    Version: { const: '2020-12-01' },
    Metadata: { type: 'object', additionalProperties: { type: 'string', maxLength: 1024 } },
    Parameters: { type: 'array', maxItems: 200, items: { $ref: '#/definitions/Parameter' } },
    PipelineExperimentConfig: { type: 'object', properties: { ExperimentName: STRING_VALUE, TrialName: STRING_VALUE }, additionalProperties: false },
    Steps: { type: 'array', minItems: 1, items: { $ref: '#/definitions/Step' } },
  },
  required: ['Version', 'Steps'],
  additionalProperties: false,
};

const validateDefinition = new Ajv({ allErrors: true, strict: false }).compile(SCHEMA);
const validateTrainingArguments = new Ajv({ allErrors: true, strict: false }).compile({ definitions: SCHEMA.definitions, ...TRAINING_ARGUMENTS });

/**
 * Schema violations of the CreateTrainingJob request a queued training (Callback) step carries:
 * its `TrainingJobRequest` template parsed, each `{"Trainyard::Value": name}` marker replaced by the
 * expression of argument `name`, judged as a Training step's arguments. Empty when valid.
 */
export function queuedTrainingRequestErrors(callbackArguments: any): string[] {
  const template = JSON.parse(callbackArguments.TrainingJobRequest);
  const fill = (v: any): any => {
    if (v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 1 && typeof v['Trainyard::Value'] === 'string') {
      const expression = callbackArguments[v['Trainyard::Value']];
      if (expression === undefined) throw new Error(`marker names a missing argument ${v['Trainyard::Value']}`);
      return expression;
    }
    if (Array.isArray(v)) return v.map(fill);
    return v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fill(x)])) : v;
  };
  if (validateTrainingArguments(fill(template))) return [];
  return (validateTrainingArguments.errors ?? []).map((e) => `${e.instancePath || '/'}: ${e.message}`);
}

/** Schema violations of a rendered (token-free) definition, as `path: message` lines; empty when valid. */
export function definitionSchemaErrors(definition: unknown): string[] {
  if (validateDefinition(definition)) {
    return [];
  }
  return (validateDefinition.errors ?? []).map((e) => `${e.instancePath || '/'}: ${e.message}`);
}

/** A rendered definition with every CDK token replaced by the literal `TOKEN`, as SageMaker would see a concrete one. */
export function concreteDefinition(json: string): any {
  return JSON.parse(json.replace(/\$\{Token\[[^\]]+\]\}/g, 'TOKEN'));
}

/** The definition deployed by a synthesized `AWS::SageMaker::Pipeline` (intrinsics replaced by `TOKEN`). */
export function deployedDefinition(pipelineResource: any): any {
  const body = pipelineResource.Properties.PipelineDefinition.PipelineDefinitionBody;
  if (typeof body === 'string') {
    return JSON.parse(body);
  }
  const [delimiter, parts] = body['Fn::Join'];
  return JSON.parse(parts.map((p: unknown) => (typeof p === 'string' ? p : 'TOKEN')).join(delimiter));
}
