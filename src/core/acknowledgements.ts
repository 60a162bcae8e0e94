import { IConstruct } from 'constructs';
import { TrainyardValidationError } from './errors';
import { acknowledgeFindings, acknowledgeWildcards } from './private/wildcard-acknowledgement';

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

/**
 * Acknowledges the wildcard resources of one policy statement (AwsSolutions-IAM5), named by the
 * statement's `sid`, with the reason the wildcard is as narrow as the AWS API allows.
 */
export interface WildcardResourceAcknowledgement {
  /** The `sid` of the statement whose wildcard resources are acknowledged. */
  readonly statementSid: string;

  /** Why the wildcard cannot be narrower. At least 10 characters. */
  readonly reason: string;
}

/**
 * Acknowledges (suppresses) compliance findings that do not apply, with the reason.
 *
 * Acknowledgements are recorded through CDK's `Validations.of(scope).acknowledge`, so they apply to
 * every validation plugin (cdk-nag packs and cfn-guard alike) and show up as
 * `suppressedViolations`, with their reason, in `cdk.out/validation-report.json`.
 *
 * A finding may be acknowledged only where the rule truly does not apply; the default is to fix it.
 * Each acknowledgement names one exact finding and gives a specific reason. Trainyard's own
 * constructs acknowledge their findings themselves; these two methods are for the findings of your
 * own resources: `acknowledge(scope, [{ id, reason }])` for a finding of a resource and everything
 * below it, `acknowledgeWildcardResources(policy, [{ statementSid, reason }])` for the wildcard
 * resources of one statement of an IAM policy (one AwsSolutions-IAM5 finding each).
 */
export class Acknowledgements {
  /**
   * Acknowledges findings on `scope` and everything below it. Throws when an id is empty or a
   * reason is shorter than 10 characters. A Control Tower control may be named as people name it
   * (`CT.S3.PR.2`).
   */
  public static acknowledge(scope: IConstruct, acknowledgements: ComplianceAcknowledgement[]): void {
    acknowledgeFindings(scope, acknowledgements);
  }

  /**
   * Acknowledges AwsSolutions-IAM5 for the wildcard *resources* of the named statements of an IAM
   * policy (`iam.ManagedPolicy`, `iam.Policy` or their L1), and only those: a wildcard action, or a
   * wildcard in any other statement, still fails.
   *
   * The finding ids embed the resolved resource (`Resource::<bucket export>/team/*`), which is known
   * only once cross-stack references are resolved, so they are computed when the app validates.
   * Throws at once when a reason is too short, and fails validation when a named statement is missing
   * or cdk-nag does not report the finding.
   */
  public static acknowledgeWildcardResources(policy: IConstruct, acknowledgements: WildcardResourceAcknowledgement[]): void {
    for (const ack of acknowledgements) {
      if (typeof ack.statementSid !== 'string' || ack.statementSid.trim().length === 0) {
        throw new TrainyardValidationError('WildcardResourceAcknowledgement.statementSid', `must name a statement of ${policy.node.path}, got ${JSON.stringify(ack.statementSid)}.`);
      }
    }
    acknowledgeWildcards(policy, acknowledgements.map((ack) => ({ statementSid: ack.statementSid, reason: ack.reason })));
  }

  private constructor() {}
}
