import { ArnFormat, Duration, Resource, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { Acknowledgements } from '../../core/acknowledgements';
import { foreignKeyArn } from '../../core/cfn-guard-key-reference';
import { AcknowledgementCatalogue } from '../../core/private/acknowledgement-catalogue';
import { acknowledgeWildcards } from '../../core/private/wildcard-acknowledgement';
import { ITeamCapacityShare } from '../../environment/team-capacity-share';
import { ITrainingEnvironment } from '../../environment/training-environment';
import { QueuedTrainingFunction } from '../queued-training-function';
import { queuedJobNamePrefix } from './queued-job-name';

/** Properties of a pipeline's submitter. */
export interface QueuedTrainingSubmitterProps {
  readonly environment: ITrainingEnvironment;
  /** The shares the pipeline's queued steps use (all of the environment's team). */
  readonly shares: ITeamCapacityShare[];
  /** The pipeline's ARN: the submitter reports only to its executions. */
  readonly pipelineArn: string;
}

/**
 * What runs the `QueuedTrainingStep`s of one pipeline: the SQS queue their Callback steps write
 * to, the function that submits each request to the team's quota share and reports the job's end,
 * and the EventBridge rule that hands it the job state changes of this pipeline's jobs only.
 */
export class QueuedTrainingSubmitter extends Construct {
  /** The queue the Callback steps write to. */
  public readonly queue: sqs.Queue;
  /** The submitter function. */
  public readonly function: lambda.Function;
  /** `ty<team hash: 6 hex><4 hex>`: the start of the names of this pipeline's service jobs. */
  public readonly jobNamePrefix: string;

  constructor(scope: Construct, id: string, props: QueuedTrainingSubmitterProps) {
    super(scope, id);
    const { environment } = props;
    const stack = Stack.of(this);
    const key = environment.key;
    // 12 + 1 + 10 (callback token) = 23 characters: Batch names the training job
    // AWSBatch<jobName><32 hex>, which must fit SageMaker's 63. The prefix carries a hash of the
    // team, so FlowMetrics can attribute the job by its name alone (queued-job-name.ts).
    this.jobNamePrefix = queuedJobNamePrefix(environment.teamName, this.node.path);

    const dlq = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      redriveAllowPolicy: { redrivePermission: sqs.RedrivePermission.ALLOW_ALL },
    });
    Acknowledgements.acknowledge(dlq, AcknowledgementCatalogue.deadLetterQueue());
    // The platform key of another stack, or of an imported platform (its ARN is a template parameter
    // read from the platform's SSM parameter): see foreignKeyArn.
    const foreignKey = Stack.of(key) !== stack || !Resource.isOwnedResource(key);
    const keyArn = foreignKey ? foreignKeyArn(key) : undefined;
    if (foreignKey) {
      (dlq.node.defaultChild as sqs.CfnQueue).kmsMasterKeyId = keyArn;
      Acknowledgements.acknowledge(dlq, AcknowledgementCatalogue.crossStackSqsKey());
    }
    this.queue = new sqs.Queue(this, 'CallbackQueue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: key,
      enforceSSL: true,
      // Six times the function timeout, as Lambda advises for an SQS event source.
      visibilityTimeout: Duration.minutes(3),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: dlq, maxReceiveCount: 10 },
    });
    if (foreignKey) {
      (this.queue.node.defaultChild as sqs.CfnQueue).kmsMasterKeyId = keyArn;
      Acknowledgements.acknowledge(this.queue, AcknowledgementCatalogue.crossStackSqsKey());
    }

    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_YEAR, encryptionKey: key });
    if (foreignKey) {
      (logGroup.node.defaultChild as logs.CfnLogGroup).kmsKeyId = keyArn;
      Acknowledgements.acknowledge(logGroup, AcknowledgementCatalogue.crossStackKmsKey());
    }
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Trainyard ${environment.teamName}: submits the queued training steps of ${props.pipelineArn} and reports their end`,
    });
    const fn = new QueuedTrainingFunction(this, 'Function', {
      description: 'Trainyard queued training: Callback step -> AWS Batch SubmitServiceJob; job state -> pipeline step result',
      role,
      logGroup,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: Duration.seconds(30),
      // SubmitServiceJob allows 5 requests a second per account; two concurrent submitters stay well below it.
      reservedConcurrentExecutions: 2,
      environmentEncryption: key,
      environment: {
        JOB_NAME_PREFIX: this.jobNamePrefix,
        TEAM_NAME: environment.teamName,
        POWERTOOLS_SERVICE_NAME: 'trainyard-queued-training',
      },
    });
    const cfnFunction = fn.node.defaultChild as lambda.CfnFunction;
    cfnFunction.deadLetterConfig = { targetArn: dlq.queueArn };
    this.function = fn;
    Acknowledgements.acknowledge(fn, AcknowledgementCatalogue.queuedTrainingSubmitterOutsideVpc());

    new lambda.EventSourceMapping(this, 'FromCallbackQueue', {
      target: fn,
      eventSourceArn: this.queue.queueArn,
      batchSize: 5,
      reportBatchItemFailures: true,
    });

    const jobQueues = [...new Set(props.shares.map((s) => s.jobQueueArn))];
    const rule = new events.CfnRule(this, 'JobStateRule', {
      description: `Trainyard: ends of the queued training jobs of ${this.node.path}`,
      state: 'ENABLED',
      eventPattern: {
        'source': ['aws.batch'],
        'detail-type': ['Batch Service Job State Change'],
        'detail': {
          jobQueue: jobQueues,
          jobName: [{ prefix: `${this.jobNamePrefix}-` }],
          status: ['SUCCEEDED', 'FAILED'],
        },
      },
      targets: [{
        id: 'Submitter',
        arn: fn.functionArn,
        // EventBridge retries delivery for a day; a failed invocation goes to the function's own dead-letter queue.
        retryPolicy: { maximumRetryAttempts: 8, maximumEventAgeInSeconds: 86_400 },
      }],
    });
    fn.addPermission('FromJobStateRule', {
      principal: new iam.ServicePrincipal('events.amazonaws.com'),
      sourceArn: rule.attrArn,
      sourceAccount: stack.account,
    });

    const executions = stack.splitArn(props.pipelineArn, ArnFormat.SLASH_RESOURCE_NAME);
    const sagemakerArn = (resource: string, name: string) => stack.formatArn({ service: 'sagemaker', resource, resourceName: name });
    const policy = new iam.ManagedPolicy(this, 'Policy', {
      description: `Least privilege of the queued-training submitter of ${this.node.path}`,
      roles: [role],
      statements: [
        new iam.PolicyStatement({ sid: 'WriteOwnLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }),
        new iam.PolicyStatement({
          sid: 'ConsumeCallbackQueue',
          actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ChangeMessageVisibility'],
          resources: [this.queue.queueArn],
        }),
        new iam.PolicyStatement({ sid: 'SendToDeadLetterQueue', actions: ['sqs:SendMessage'], resources: [dlq.queueArn] }),
        new iam.PolicyStatement({ sid: 'UseTeamKey', actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: [key.keyArn] }),
        new iam.PolicyStatement({
          sid: 'ReportToThisPipeline',
          actions: ['sagemaker:SendPipelineExecutionStepSuccess', 'sagemaker:SendPipelineExecutionStepFailure'],
          resources: [sagemakerArn('pipeline', `${executions.resourceName}/execution/*`)],
        }),
        new iam.PolicyStatement({
          // Batch names the training job AWSBatch<jobName><hash>, and this pipeline's job names start with the prefix.
          sid: 'DescribeThisPipelinesTrainingJobs',
          actions: ['sagemaker:DescribeTrainingJob'],
          resources: [sagemakerArn('training-job', `AWSBatch${this.jobNamePrefix}-*`), sagemakerArn('training-job', `awsbatch${this.jobNamePrefix}-*`)],
        }),
      ],
    });
    fn.node.addDependency(policy);
    acknowledgeWildcards(policy, AcknowledgementCatalogue.queuedTrainingSubmitterPolicy());
    for (const share of props.shares) {
      share.grantSubmit(role);
    }
  }
}
