import { Stack, Validations } from 'aws-cdk-lib';
// cdk-nag formats a wildcard finding's resource with this function; using it keeps ids exact.
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';
import { IConstruct } from 'constructs';
import { controlTowerFindingIds } from './control-tower-rules';
import { TrainyardValidationError } from './errors';

/**
 * One acknowledged compliance finding: the exact rule id (including a `[finding]` suffix where the
 * rule reports several findings per resource) and why the rule does not apply here.
 */
export interface ComplianceAcknowledgement {
  /**
   * The exact finding id, for example `AwsSolutions-S1` or `AwsSolutions-IAM5[Resource::*]`, or a
   * cfn-guard Control Tower rule such as `CT.S3.PR.2`.
   */
  readonly id: string;

  /** Why the rule does not apply to this construct. At least 10 characters; say the real reason. */
  readonly reason: string;
}

/** The shortest reason an acknowledgement may give. */
const MIN_ACKNOWLEDGEMENT_REASON_LENGTH = 10;

/**
 * The one place where compliance findings are acknowledged (suppressed), and the catalogue of
 * every acknowledgement Trainyard's own constructs make, with its reason.
 *
 * Acknowledgements are recorded through CDK's `Validations.of(scope).acknowledge`, so they apply to
 * every validation plugin (cdk-nag packs and cfn-guard alike) and show up as
 * `suppressedViolations`, with their reason, in `cdk.out/validation-report.json`.
 *
 * A finding may be acknowledged only where the rule truly does not apply; the default is to fix it.
 * Each acknowledgement names one exact finding and gives a specific reason.
 */
export class Acknowledgements {
  /**
   * Acknowledges findings on `scope` and everything below it. Throws when an id is empty or a
   * reason is shorter than 10 characters.
   */
  public static acknowledge(scope: IConstruct, acknowledgements: ComplianceAcknowledgement[]): void {
    for (const ack of acknowledgements) {
      if (typeof ack.id !== 'string' || ack.id.trim().length === 0) {
        throw new TrainyardValidationError('ComplianceAcknowledgement.id', `must name the finding to acknowledge (at ${scope.node.path}).`);
      }
      const reason = typeof ack.reason === 'string' ? ack.reason.trim() : '';
      if (reason.length < MIN_ACKNOWLEDGEMENT_REASON_LENGTH) {
        throw new TrainyardValidationError(
          'ComplianceAcknowledgement.reason',
          `acknowledging ${ack.id} at ${scope.node.path} needs a reason of at least ${MIN_ACKNOWLEDGEMENT_REASON_LENGTH} characters that says why the rule does not apply, got "${reason}".`,
        );
      }
      // Control Tower controls are named CT.<SERVICE>.PR.<n> by people and by their cfn-guard rule name in reports.
      const ids = /^CT\./i.test(ack.id) ? controlTowerFindingIds(ack.id) : [ack.id];
      if (!ids || ids.length === 0) {
        throw new TrainyardValidationError('ComplianceAcknowledgement.id', `${ack.id} is not a Control Tower control bundled with the cfn-guard validator.`);
      }
      for (const id of ids) {
        Validations.of(scope).acknowledge({ id, reason });
      }
    }
  }

  /**
   * AwsSolutions-IAM5 findings for object-key wildcards (`<bucket ARN>/*` or `<bucket ARN>/team/*`):
   * one exact finding per ARN, never the whole rule. Use only where the grant is scoped to a bucket
   * or a prefix and the wildcard is the object key.
   *
   * @param scope the policy (or its owner) the findings are reported on
   * @param objectArns the object ARNs containing the wildcard, as used in the policy
   * @param reason why object-level access under that bucket or prefix is needed
   */
  public static objectKeyWildcards(scope: IConstruct, objectArns: string[], reason: string): ComplianceAcknowledgement[] {
    const stack = Stack.of(scope);
    return objectArns.map((arn) => ({ id: `AwsSolutions-IAM5[Resource::${flattenCfnReference(stack.resolve(arn))}]`, reason }));
  }

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
    return [
      {
        id: 'CT.LAMBDA.PR.3',
        reason:
          "CDK's deploy-time handler that revokes the default security group's rules. It runs only during deployment and calls " +
          'the EC2 API, which the isolated VPC has no endpoint for, so it cannot run inside that VPC.',
      },
    ];
  }

  /**
   * Wildcard resources of a SageMaker pipeline's execution role (AwsSolutions-IAM5, one finding id
   * per resource). SageMaker Pipelines names the jobs, trials and outputs of each execution at run
   * time (`pipelines-<execution id>-<step>-<suffix>`), so their ARNs are known only as a prefix in
   * this account and region; property files are read below the team's pipeline prefix; model versions
   * are numbered below the team's model package group.
   *
   * @param findingIds the exact finding ids, for example `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sagemaker:<AWS::Region>:<AWS::AccountId>:training-job/pipelines-*]`
   */
  public static pipelineExecutionRole(findingIds: string[]): ComplianceAcknowledgement[] {
    const reason =
      'SageMaker Pipelines generates the names of the jobs, trials and outputs of each execution at run time (pipelines-<execution id>-...), ' +
      "and numbers model versions in the group; the wildcard is limited to that prefix in this account and region, the team's pipeline " +
      'output prefix, or the team model package group.';
    return findingIds.map((id) => ({ id, reason }));
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
}
