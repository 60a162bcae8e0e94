import { CfnResource, Stack, Token, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { findingResourceName, reportedWildcardFindings, resolvedPolicyDocument, wildcardFindingId } from './nag-findings';
import { controlTowerFindingIds } from '../control-tower-rules';
import { TrainyardValidationError } from '../errors';

/** The shortest reason an acknowledgement may give. */
export const MIN_ACKNOWLEDGEMENT_REASON_LENGTH = 10;

/**
 * Records acknowledgements of findings on `scope` and everything below it, through CDK's
 * `Validations.of(scope).acknowledge`, after checking each id and reason. Control Tower controls
 * (`CT.S3.PR.2`) are expanded to the cfn-guard rule names that report them.
 *
 * @internal
 */
export function acknowledgeFindings(scope: IConstruct, acknowledgements: ReadonlyArray<{ readonly id: string; readonly reason: string }>): void {
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
 * Which wildcard resources of a policy one acknowledgement covers: those of the statement with a
 * `sid`, one resource as the policy uses it (a token or a literal), or every resource ending with a
 * suffix. Exactly one of the three.
 *
 * @internal
 */
export interface WildcardSelection {
  /** The wildcard resources of the statement with this `sid`. */
  readonly statementSid?: string;
  /** This resource (`bucket.arnForObjects('team/*')`, ...), resolved where the policy is. */
  readonly resource?: string;
  /** Every wildcard resource whose finding name ends with this (tokens in it are resolved alike). */
  readonly resourceSuffix?: string;
  /** Why the wildcard cannot be narrower. */
  readonly reason: string;
}

/**
 * The one wildcard-acknowledgement mechanism: acknowledges AwsSolutions-IAM5 for the selected
 * wildcard *resources* of an IAM policy, one exact finding id each, never the whole rule (a wildcard
 * action, or a wildcard resource nobody selected, still fails).
 *
 * cdk-nag names each finding after the resource as it resolves in the policy's stack (a cross-stack
 * import of a bucket, for example), which is known only once references are resolved; the ids are
 * therefore computed in a validation of the policy, which runs before the compliance plugins. That
 * validation fails when a named statement is missing, or when cdk-nag's public rule does not report
 * an id computed here (a change in how cdk-nag names findings).
 *
 * @param policy an `iam.ManagedPolicy`/`iam.Policy` or its L1 (`AWS::IAM::ManagedPolicy`, `AWS::IAM::Policy`)
 * @internal
 */
export function acknowledgeWildcards(policy: IConstruct, selections: WildcardSelection[]): void {
  const cfn = policyResource(policy);
  for (const selection of selections) {
    const given = [selection.statementSid, selection.resource, selection.resourceSuffix].filter((s) => s !== undefined);
    if (given.length !== 1) {
      throw new TrainyardValidationError('WildcardResourceAcknowledgement', `must select the statement, the resource or the suffix to acknowledge at ${cfn.node.path}, exactly one.`);
    }
    if (typeof selection.reason !== 'string' || selection.reason.trim().length < MIN_ACKNOWLEDGEMENT_REASON_LENGTH) {
      throw new TrainyardValidationError(
        'WildcardResourceAcknowledgement.reason',
        `acknowledging ${describeSelection(selection)} of ${cfn.node.path} needs a reason of at least ${MIN_ACKNOWLEDGEMENT_REASON_LENGTH} characters.`,
      );
    }
  }
  cfn.node.addValidation({
    validate: () => {
      const stack = Stack.of(cfn);
      const statements = (resolvedPolicyDocument(cfn).Statement ?? []).filter((s: any) => s.Effect === 'Allow');
      const wildcards = (resources: unknown): string[] =>
        [resources].flat().map((r) => findingResourceName(r)).filter((name) => name.includes('*'));
      const errors: string[] = [];
      const acknowledged = new Map<string, string>();
      for (const selection of selections) {
        let names: string[];
        if (selection.statementSid !== undefined) {
          const statement = statements.find((s: any) => s.Sid === selection.statementSid);
          if (!statement) {
            errors.push(`${cfn.node.path} has no statement with sid ${selection.statementSid} to acknowledge.`);
            continue;
          }
          names = wildcards(statement.Resource);
        } else if (selection.resource !== undefined) {
          names = wildcards(stack.resolve(selection.resource));
        } else {
          const suffix = findingResourceName(stack.resolve(selection.resourceSuffix));
          names = statements.flatMap((s: any) => wildcards(s.Resource)).filter((name: string) => name.endsWith(suffix));
        }
        for (const name of names) {
          acknowledged.set(wildcardFindingId(name), selection.reason.trim());
        }
      }
      if (acknowledged.size > 0) {
        const reported = reportedWildcardFindings(cfn);
        for (const [id, reason] of acknowledged) {
          if (!reported.has(id)) {
            errors.push(`${cfn.node.path}: cdk-nag reports no finding ${id} to acknowledge (it reports ${[...reported].join(', ') || 'none'}).`);
            continue;
          }
          // On the construct given (the L2 when there is one), which holds the L1 cdk-nag reports on.
          acknowledgeFindings(policy, [{ id, reason }]);
        }
      }
      return errors;
    },
  });
}

function describeSelection(selection: WildcardSelection): string {
  if (selection.statementSid !== undefined) return `statement ${selection.statementSid}`;
  if (selection.resource !== undefined) return `resource ${Token.isUnresolved(selection.resource) ? '(a token)' : selection.resource}`;
  return `resources ending in ${selection.resourceSuffix}`;
}

/** The L1 of an IAM policy construct, or the L1 itself. */
function policyResource(policy: IConstruct): CfnResource {
  const cfn = CfnResource.isCfnResource(policy) ? policy : policy.node.defaultChild;
  if (!cfn || !CfnResource.isCfnResource(cfn) || !('policyDocument' in cfn)) {
    throw new TrainyardValidationError('WildcardResourceAcknowledgement', `${policy.node.path} is not an IAM policy (AWS::IAM::ManagedPolicy or AWS::IAM::Policy).`);
  }
  return cfn;
}
