import { ComplianceAcknowledgement } from '../acknowledgements';
import { WildcardSelection } from './wildcard-acknowledgement';

/**
 * The catalogue of every acknowledgement Trainyard's own constructs make, with its reason: one
 * factory per construct or finding. Private (not part of the jsii API): users acknowledge their own
 * findings with `Acknowledgements.acknowledge` and `Acknowledgements.acknowledgeWildcardResources`.
 *
 * A finding may be acknowledged only where the rule truly does not apply; the default is to fix it.
 * Each entry names one exact finding and gives the specific reason.
 *
 * @internal
 */
export class AcknowledgementCatalogue {
  /**
   * Why a team's training execution role (`TrainingEnvironment`) needs object-key wildcards under its
   * own S3 prefixes (`teamPrefixObjects`).
   */
  public static readonly TEAM_PREFIX_OBJECTS_REASON =
    'Training jobs read and write objects whose keys are created at run time (dataset versions, model artifacts, checkpoints). The ' +
    "wildcard is confined to the team's own prefix in the platform bucket; other teams' prefixes are not covered.";

  /** Why a role that uses MLflow may read and write any object under the tracking server's artifact prefix. */
  public static readonly MLFLOW_ARTIFACT_OBJECTS_REASON =
    'MLflow clients upload and download run artifacts directly under the tracking server\'s artifact prefix, with keys ' +
    'the server creates per experiment and run. The wildcard is confined to that prefix (mlflow/ by default), not the bucket.';

  /** Why a team's explicit share with another team (`TrainingEnvironment.grantDatasetRead`, `grantModelRead`) has a key or version wildcard. */
  public static readonly TEAM_SHARE_REASON =
    "An explicit grant from the owning team (in the owner's stack): the other team reads objects or model versions created at run time, " +
    'under the one prefix or model package group the owner named; nothing outside it, and no write.';

  /** The access-logs bucket is the destination of S3 server access logs and VPC flow logs. */
  public static accessLogsBucket(): ComplianceAcknowledgement[] {
    const selfLogging = 'This is the access-logs bucket: logging it into itself would create an endless log loop.';
    const sseS3Only = 'S3 server access log delivery supports only SSE-S3 destination buckets; SSE-KMS would drop every log record.';
    return [
      { id: 'AwsSolutions-S1', reason: selfLogging },
      { id: 'NIST.800.53.R5-S3BucketLoggingEnabled', reason: selfLogging },
      { id: 'HIPAA.Security-S3BucketLoggingEnabled', reason: selfLogging },
      { id: 'CT.S3.PR.2', reason: selfLogging },
      { id: 'NIST.800.53.R5-S3DefaultEncryptionKMS', reason: sseS3Only },
      { id: 'HIPAA.Security-S3DefaultEncryptionKMS', reason: sseS3Only },
      { id: 'CT.S3.PR.10', reason: sseS3Only },
    ];
  }

  /**
   * A platform bucket without cross-region replication (`MlPlatform.replication` not set).
   * Replication needs a destination bucket and key in a second region, which the platform team
   * creates and passes in when it wants disaster recovery across regions.
   */
  public static noCrossRegionReplication(): ComplianceAcknowledgement[] {
    const reason =
      'Cross-region replication is opt-in (MlPlatform.replication): it needs a destination bucket and KMS key in a second region ' +
      'owned by the platform team. Without it, versioning and Object Lock protect against loss in-region.';
    return [
      { id: 'NIST.800.53.R5-S3BucketReplicationEnabled', reason },
      { id: 'HIPAA.Security-S3BucketReplicationEnabled', reason },
    ];
  }

  /**
   * CDK's deploy-time custom resource that removes all rules from the VPC's default security group
   * (what NIST VPCDefaultSecurityGroupClosed asks for).
   */
  public static restrictDefaultSecurityGroupProvider(): ComplianceAcknowledgement[] {
    const outsideVpc =
      "CDK's deploy-time handler that revokes the default security group's rules. It runs only during deployment and calls " +
      'the EC2 API, which the isolated VPC has no endpoint for, so it cannot run inside that VPC.';
    // The provider is a plain CfnResource, so cdk-nag's packs skip it at synth; an auditor who re-runs them on the
    // template (CfnInclude) sees these findings, and the reasons are recorded here, where the resource lives.
    const concurrency =
      'Invoked only by CloudFormation, once per create, update or delete of the VPC custom resource; reserved concurrency would ' +
      'set aside account capacity for a function that runs a few seconds per deployment.';
    const dlq =
      'A failed invocation fails the CloudFormation stack operation, which is where it is reported and retried; a dead-letter ' +
      "queue would hold CloudFormation's request event with nothing to act on it.";
    const inline =
      "CDK's provider framework writes the handler role's policy inline: ec2:AuthorizeSecurityGroupIngress/Egress and " +
      'ec2:RevokeSecurityGroupIngress/Egress on the default security group of this VPC only. It is part of CDK, not Trainyard.';
    const basicExecution =
      "CDK's provider framework gives its handler role the AWS managed AWSLambdaBasicExecutionRole (write its own CloudWatch " +
      "logs, nothing else); the role is CDK's, created with the handler, and used by nothing else.";
    return [
      { id: 'CT.LAMBDA.PR.3', reason: outsideVpc },
      ...['NIST.800.53.R5', 'HIPAA.Security'].flatMap((pack) => [
        { id: `${pack}-LambdaInsideVPC`, reason: outsideVpc },
        { id: `${pack}-LambdaConcurrency`, reason: concurrency },
        { id: `${pack}-LambdaDLQ`, reason: dlq },
        { id: `${pack}-IAMNoInlinePolicy`, reason: inline },
      ]),
      { id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]', reason: basicExecution },
    ];
  }

  /**
   * A VPC whose default security group CDK closes (`restrictDefaultSecurityGroup: true`): cdk-nag's
   * VPCDefaultSecurityGroupClosed recognises the `Custom::VpcRestrictDefaultSG` resource from the
   * construct tree at synth, but a re-run of the packs on the template alone cannot see the link.
   */
  public static restrictedDefaultSecurityGroup(): ComplianceAcknowledgement[] {
    const reason =
      'The default security group is closed: the Custom::VpcRestrictDefaultSG resource of the same template revokes all its ' +
      'ingress and egress rules at deploy time. cdk-nag sees it in the construct tree at synth; a re-run on the template alone cannot.';
    return ['NIST.800.53.R5', 'HIPAA.Security'].map((pack) => ({ id: `${pack}-VPCDefaultSecurityGroupClosed`, reason }));
  }

  /**
   * The `ExperimentTracking` service policy: object permissions on the artifact prefix
   * (`<bucket>/<prefix>*`) and, with automatic registration, model package groups MLflow names at run time.
   */
  public static mlflowServicePolicy(automaticModelRegistration: boolean): WildcardSelection[] {
    return [
      {
        statementSid: 'ReadWriteArtifacts',
        reason: 'Object-level S3 permissions for a key prefix can only be expressed as <bucket>/<prefix>*; the wildcard ' +
          'covers the objects under the artifact prefix, not the bucket.',
      },
      ...(automaticModelRegistration ? [{
        statementSid: 'AutomaticModelRegistration',
        reason: 'With automatic registration MLflow creates a SageMaker model package group per MLflow registered model, named at ' +
          'run time; the wildcard is limited to model-package-group/ and model-package/ ARNs of this account and region.',
      }] : []),
    ];
  }

  /**
   * A bucket whose server access logs go to a bucket in another stack: the Control Tower rule accepts
   * only a literal name or a reference within the same template, and cannot follow an import.
   */
  public static crossStackAccessLogsDestination(): ComplianceAcknowledgement[] {
    return [{
      id: 'CT.S3.PR.2',
      reason:
        'Server access logging is configured, to a bucket defined in another stack; the cfn-guard rule only accepts a literal ' +
        'bucket name or a same-template reference and cannot follow Fn::ImportValue.',
    }];
  }

  /**
   * The default execution role of a `TrainingStudio` domain. Studio creates apps and spaces with
   * names chosen at run time, inside the domain; users read data under a prefix.
   */
  public static studioExecutionPolicy(teamScoped: boolean): WildcardSelection[] {
    return [
      {
        statementSid: 'AppsAndSpacesOfThisDomain',
        reason: 'Studio apps, spaces and user profiles are named by users at run time; the ARNs are limited to this domain id.',
      },
      {
        statementSid: 'ListStudioResources',
        reason: 'sagemaker:ListApps and sagemaker:ListSpaces support no resource-level permissions, so IAM accepts only "*".',
      },
      {
        statementSid: 'StudioLogs',
        reason: 'Log streams of Studio apps are created at run time; the ARN is limited to the /aws/sagemaker/studio log group.',
      },
      ...AcknowledgementCatalogue.dataPrefixes(teamScoped),
    ];
  }

  /**
   * The instance role of `GpuBatchCompute` (the ECS container agent). AWS Batch names its ECS
   * clusters `AWSBatch-<compute environment>-<uuid>` at run time.
   */
  public static batchInstancePolicy(): WildcardSelection[] {
    return [
      {
        statementSid: 'JoinBatchClusters',
        reason: 'AWS Batch creates the ECS cluster at run time with a generated name; the ARN is limited to clusters named AWSBatch-*.',
      },
      {
        statementSid: 'RunAsContainerInstance',
        reason: 'Container instance ids are assigned at run time; the ARN is limited to container instances of AWSBatch-* clusters.',
      },
      {
        statementSid: 'DiscoverEcsEndpoint',
        reason: 'ecs:DiscoverPollEndpoint supports no resource-level permissions, so IAM accepts only "*".',
      },
      {
        statementSid: 'WriteJobLogs',
        reason: 'Log streams are created per job at run time; the ARN is limited to the team\'s Batch log group.',
      },
    ];
  }

  /**
   * The submit policy of a `TeamCapacityShare`: AWS Batch gives each service job an id (and ARN) at
   * submission, and reads of service jobs have no resource-level permissions.
   */
  public static capacityShareSubmitPolicy(): WildcardSelection[] {
    const newJobs = 'AWS Batch assigns the service job id at submission, so the service-job ARN cannot be known in advance; ';
    return [
      {
        statementSid: 'SubmitToTeamShare',
        reason: newJobs + 'the queue and the team\'s own quota share are named exactly, which keeps the grantee out of other shares.',
      },
      {
        statementSid: 'TagNewTeamJobs',
        reason: newJobs + 'tagging is limited to requests that tag the job with the team\'s own trainyard:team value.',
      },
      {
        statementSid: 'ManageTeamJobs',
        reason: newJobs + 'updates and terminations are limited to jobs tagged with the team\'s own trainyard:team value.',
      },
      {
        statementSid: 'ReadServiceJobs',
        reason: 'batch:DescribeServiceJob, ListServiceJobs, DescribeJobQueues and DescribeServiceEnvironments support no resource-level permissions, so IAM accepts only "*".',
      },
    ];
  }

  /**
   * The submitter of a pipeline's queued training steps runs outside the VPC: it calls only the AWS
   * Batch and SageMaker control-plane APIs (no data access), and the platform's isolated subnets have
   * no AWS Batch interface endpoint.
   */
  public static queuedTrainingSubmitterOutsideVpc(): ComplianceAcknowledgement[] {
    const reason =
      'The function only calls the AWS Batch (SubmitServiceJob, ListServiceJobs) and SageMaker (DescribeTrainingJob, ' +
      'SendPipelineExecutionStep*) control-plane APIs with IAM-signed requests; it reads no data. The platform\'s isolated ' +
      'subnets have no AWS Batch interface endpoint to reach those APIs from inside the VPC.';
    return ['NIST.800.53.R5-LambdaInsideVPC', 'HIPAA.Security-LambdaInsideVPC', 'CT.LAMBDA.PR.3'].map((id) => ({ id, reason }));
  }

  /** The policy of a pipeline's queued-training submitter. */
  public static queuedTrainingSubmitterPolicy(): WildcardSelection[] {
    return [
      {
        statementSid: 'ReportToThisPipeline',
        reason: 'SageMaker names each pipeline execution at run time; the ARN is limited to the executions of this one pipeline.',
      },
      {
        statementSid: 'DescribeThisPipelinesTrainingJobs',
        reason: 'AWS Batch names the training job AWSBatch<job name><hash> at run time; the ARN is limited to the job-name prefix of this pipeline.',
      },
    ];
  }

  /** The execution role of `GpuBatchCompute` jobs (image pull and logs). */
  public static batchExecutionPolicy(): WildcardSelection[] {
    return [
      {
        statementSid: 'EcrAuthorizationToken',
        reason: 'ecr:GetAuthorizationToken supports no resource-level permissions, so IAM accepts only "*"; pulls are limited to the team repository.',
      },
      {
        statementSid: 'WriteJobLogs',
        reason: 'Log streams are created per job at run time; the ARN is limited to the team\'s Batch log group.',
      },
    ];
  }

  /**
   * A log group in a team stack encrypted with the platform key, which lives in the platform stack.
   * Its `KmsKeyId` is an `Fn::ImportValue`, which the Control Tower rule cannot follow: it accepts
   * only a literal ARN or a key in the same template.
   */
  public static crossStackKmsKey(): ComplianceAcknowledgement[] {
    return [{
      id: 'CT.CLOUDWATCH.PR.3',
      reason: 'The log group is encrypted with the platform KMS key; KmsKeyId is that key ARN read from the platform\'s SSM parameter at deploy time ' +
        '(MlPlatform.fromPlatformName) or a cross-stack Fn::ImportValue, which the rule cannot resolve (it accepts only a literal or a same-template key).',
    }];
  }

  /**
   * A team's MLflow App whose artifact store is the artifacts bucket of a platform imported by name
   * (`MlPlatform.fromPlatformName`) or from attributes: the rule verifies the bucket's SSE-KMS only for
   * a bucket it can find in the app (it follows the platform's SSM parameter when the platform's stack
   * is in the same stage), not for a platform deployed by another app.
   */
  public static importedPlatformArtifactStore(): ComplianceAcknowledgement[] {
    return [{
      id: 'MlOps-MlflowServerMaintainedEncrypted',
      reason: 'The App sets WeeklyMaintenanceWindowStart (ExperimentTracking always does); its ArtifactStoreUri is the platform\'s artifacts bucket, ' +
        'read from the platform\'s SSM parameter, which MlPlatform creates with SSE-KMS on the platform key and which the platform\'s own app ' +
        'checks; a team app without the platform cannot see that bucket at synth.',
    }];
  }

  /**
   * An SQS queue in a team stack encrypted with the platform KMS key of the platform stack: its
   * `KmsMasterKeyId` is an `Fn::ImportValue`, which the Control Tower rule cannot follow.
   */
  public static crossStackSqsKey(): ComplianceAcknowledgement[] {
    return [{
      id: 'CT.SQS.PR.2',
      reason: 'The queue is encrypted with the platform KMS key; KmsMasterKeyId is that key ARN read from the platform\'s SSM parameter at deploy time ' +
        '(MlPlatform.fromPlatformName) or a cross-stack Fn::ImportValue, which the rule cannot resolve (it accepts only a literal or a same-template key).',
    }];
  }

  /** Object access under a key prefix of the platform buckets: object keys are chosen by the jobs and users. */
  public static dataPrefixes(writes: boolean): WildcardSelection[] {
    const reason = 'Object keys are chosen at run time by jobs and users; the ARN is limited to the team\'s key prefix (or, without a team, the bucket).';
    return [
      { statementSid: 'ReadDataObjects', reason },
      ...(writes ? [{ statementSid: 'WriteArtifactObjects', reason }] : []),
    ];
  }

  /**
   * Actions of a team's training execution role (`TrainingEnvironment`) that IAM offers no
   * resource-level permissions for, so `*` is the only valid resource.
   */
  public static actionsWithoutResourceLevelPermissions(): ComplianceAcknowledgement[] {
    return [{
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'ec2:DescribeNetworkInterfaces/Vpcs/Subnets/SecurityGroups/DhcpOptions (the lookups SageMaker makes before placing a job in the VPC), ' +
        'cloudwatch:PutMetricData and ecr:GetAuthorizationToken have no resource-level permissions in IAM: * is the only valid resource. ' +
        'PutMetricData is limited to the SageMaker and team namespaces by the cloudwatch:namespace condition.',
    }];
  }

  /**
   * The ENIs SageMaker creates for a team's training jobs: `eniArn` is the ENI ARN pattern of the
   * team's network policy.
   */
  public static sageMakerJobNetworkInterfaces(eniArn: string): WildcardSelection[] {
    return [{
      resource: eniArn,
      reason:
        'SageMaker creates one ENI per job instance when the job starts, so ENI IDs do not exist at deploy time. Every ENI action is ' +
        'limited to the platform VPC by the ec2:Vpc condition, and ENI creation to the platform subnets and the team security group.',
    }];
  }

  /**
   * The log streams of SageMaker training and processing jobs: `logStreamArns` are the log-stream ARN
   * patterns of the team's observability policy.
   */
  public static sageMakerJobLogStreams(logStreamArns: string[]): WildcardSelection[] {
    return logStreamArns.map((resource) => ({
      resource,
      reason:
        'SageMaker names a log stream after each job and instance (<job-name>/algo-1-<epoch>) when the job starts, so stream names ' +
        'are unknown at deploy time. The permission is limited to the SageMaker job log group.',
    }));
  }

  /**
   * The object-key wildcards of a team's training execution role (`TrainingEnvironment`) under its
   * own S3 prefixes: `objectArns` are the team's object ARNs (`<bucket>/<team prefix>*`).
   */
  public static teamPrefixObjects(objectArns: string[]): WildcardSelection[] {
    return objectArns.map((resource) => ({ resource, reason: AcknowledgementCatalogue.TEAM_PREFIX_OBJECTS_REASON }));
  }

  /** The object-key wildcards of the platform's replication role: `objectArns` are `<bucket>/*` of the source and replica buckets. */
  public static replicationObjects(objectArns: string[]): WildcardSelection[] {
    const reason = 'S3 replication copies every object version of the source bucket into the destination bucket; the wildcard is the object key within each named bucket.';
    return objectArns.map((resource) => ({ resource, reason }));
  }

  /**
   * The self-referencing all-traffic ingress rule of a multi-node EFA training job's security
   * group: EFA needs every protocol between the instances of a job, and admits no other source.
   */
  public static efaSelfTraffic(): ComplianceAcknowledgement[] {
    const reason =
      'The source is the job security group itself, not an address range: only the instances of the same training job are admitted. ' +
      'Elastic Fabric Adapter traffic (SRD) is neither TCP nor UDP, so AWS requires all protocols between the instances of the group.';
    return [
      { id: 'NIST.800.53.R5-EC2RestrictedCommonPorts', reason },
      { id: 'HIPAA.Security-EC2RestrictedCommonPorts', reason },
    ];
  }

  /**
   * The TrainingGuardrails permissions boundary. A boundary is a ceiling, not a grant: it names
   * `Resource: *` on purpose, because the identity policies of each role scope the resources and
   * the effective permission is their intersection. `wildcardActions` are the boundary's action
   * patterns (`sagemaker-mlflow:Get*`, ...), one IAM5 finding each.
   */
  public static permissionsBoundaryCeiling(wildcardActions: string[] = []): ComplianceAcknowledgement[] {
    return [
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Permissions boundary: it caps what team roles may do and grants nothing by itself. Resources are scoped by each ' +
          "role's identity policies; the effective permission is the intersection, so the boundary lists actions on all resources.",
      },
      ...wildcardActions.map((action) => ({
        id: `AwsSolutions-IAM5[Action::${action}]`,
        reason:
          `Permissions boundary: ${action} stands for a family of calls team roles use (SageMaker describe and list calls, ` +
          'MLflow client calls), which listed one by one would push the policy past the 6,144-character limit of a managed policy. ' +
          "The boundary grants nothing; each role's identity policy lists the exact actions on its own resources.",
      })),
    ];
  }

  /**
   * The FlowMetrics de-duplication table: event ids and run fingerprints with a TTL, rebuilt from
   * new events. Point-in-time recovery is on; an AWS Backup plan adds nothing a 35-day PITR window
   * does not already give a cache whose items expire.
   */
  public static flowMetricsDedupTable(): ComplianceAcknowledgement[] {
    const reason =
      'De-duplication cache of SageMaker event ids and run fingerprints whose items expire by TTL (90 days by default). ' +
      'Point-in-time recovery is enabled; losing the table only risks counting a replayed event twice, so a Backup plan adds cost, not protection.';
    return [
      { id: 'NIST.800.53.R5-DynamoDBInBackupPlan', reason },
      { id: 'HIPAA.Security-DynamoDBInBackupPlan', reason },
    ];
  }

  /** A dead-letter queue: it is where failed messages end; it needs no dead-letter queue itself. */
  public static deadLetterQueue(): ComplianceAcknowledgement[] {
    return [{
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is the dead-letter queue of a Lambda function and of EventBridge targets; a DLQ of a DLQ would only move the same messages.',
    }];
  }

  /**
   * The FlowMetrics collector's policy: DescribeTrainingJob on any training job of the account,
   * limited by the `trainyard:team` resource tag (pipelines name jobs at run time), and the ENI and
   * X-Ray actions of a VPC function with tracing, and cloudwatch:GetMetricData for the training jobs'
   * host metrics, which have no resource-level permissions.
   */
  public static flowMetricsCollectorPolicy(): ComplianceAcknowledgement[] {
    return [
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'ec2:CreateNetworkInterface/DescribeNetworkInterfaces/DescribeSubnets/DeleteNetworkInterface/Assign|UnassignPrivateIpAddresses ' +
          '(the ENIs of a function in a VPC) and xray:PutTraceSegments/PutTelemetryRecords support no resource-level permissions; ' +
          'cloudwatch:GetMetricData (training-job host metrics) has none for classic metrics either (its only resource type, dataset, is OTLP/PromQL data) and no namespace condition key.',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sagemaker:<AWS::Region>:<AWS::AccountId>:training-job/*]',
        reason:
          'SageMaker pipelines name training jobs at run time (pipelines-<execution>-<step>-...), so no name prefix identifies a team; ' +
          'the statement is limited to jobs tagged with a measured team by an aws:ResourceTag/trainyard:team condition.',
      },
    ];
  }

  /**
   * A function in the isolated subnets of a VPC defined in another stack. The Control Tower rule
   * accepts subnet ids only as literal strings or references to subnets of the same template, so an
   * `Fn::ImportValue` of the platform's subnets fails it although the function is in the VPC.
   */
  public static vpcFunctionInAnotherStack(): ComplianceAcknowledgement[] {
    return [{
      id: 'CT.LAMBDA.PR.3',
      reason:
        'The function runs in the isolated subnets of the platform VPC; they come from the platform through SSM parameter references ' +
        '(MlPlatform.fromPlatformName) or Fn::ImportValue, which the cfn-guard rule cannot resolve (it only accepts literal ids or same-template references).',
    }];
  }

  /**
   * Wildcard resources of a SageMaker pipeline's execution role (AwsSolutions-IAM5, one finding id
   * per resource). SageMaker Pipelines names the jobs, trials and outputs of each execution at run
   * time (`pipelines-<execution id>-<step>-<suffix>`), so their ARNs are known only as a prefix in
   * this account and region; property files are read below the team's pipeline prefix; model versions
   * are numbered below the team's model package group.
   *
   * @param resourceSuffixes the ends of the wildcard resources, for example `:training-job/pipelines-*`
   */
  public static pipelineExecutionRole(resourceSuffixes: string[]): WildcardSelection[] {
    const reason =
      'SageMaker Pipelines generates the names of the jobs, trials and outputs of each execution at run time (pipelines-<execution id>-...), ' +
      "and numbers model versions in the group; the wildcard is limited to that prefix in this account and region, the team's pipeline " +
      'output prefix, or the team model package group, and job actions further to jobs tagged with the team (trainyard:team).';
    return resourceSuffixes.map((resourceSuffix) => ({ resourceSuffix, reason }));
  }

  /**
   * A drift alarm without alarm actions: its state change goes to EventBridge, where
   * `TrainingPipeline.triggerOnDrift`'s rule starts retraining.
   */
  public static driftAlarmConsumedByEventBridge(): ComplianceAcknowledgement[] {
    const reason =
      "The alarm's state change is delivered to EventBridge, where TrainingPipeline.triggerOnDrift's rule starts retraining; " +
      'that rule is the action. Pass DriftMonitorProps.alarmActions to notify people as well.';
    return [
      { id: 'NIST.800.53.R5-CloudWatchAlarmAction', reason },
      { id: 'HIPAA.Security-CloudWatchAlarmAction', reason },
      { id: 'CT.CLOUDWATCH.PR.1', reason },
    ];
  }

  private constructor() {}
}
