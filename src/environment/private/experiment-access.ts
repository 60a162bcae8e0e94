import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { AcknowledgementCatalogue } from '../../core/private/acknowledgement-catalogue';
import { acknowledgeWildcards } from '../../core/private/wildcard-acknowledgement';
import { IExperimentTracking } from '../../registry/experiment-tracking';

/**
 * A customer-managed policy (`ExperimentTrackingPolicy`, under `scope`) with what
 * `IExperimentTracking.grantAccess` allows: the MLflow API on the app or server, its artifact
 * prefix and key. `grantAccess` itself would write an inline policy, which NIST 800-53 and HIPAA
 * (IAMNoInlinePolicy) reject on roles. The artifact-prefix wildcard is acknowledged by statement.
 *
 * @internal
 */
export function experimentTrackingPolicy(scope: Construct, tracking: IExperimentTracking, description: string): iam.ManagedPolicy {
  const statements = tracking.accessPolicyStatements();
  const policy = new iam.ManagedPolicy(scope, 'ExperimentTrackingPolicy', { description, statements });
  if (statements.some((statement) => statement.sid === ARTIFACTS_SID)) {
    acknowledgeWildcards(policy, [{ statementSid: ARTIFACTS_SID, reason: AcknowledgementCatalogue.MLFLOW_ARTIFACT_OBJECTS_REASON }]);
  }
  return policy;
}

/** The statement of `ExperimentTracking.accessPolicyStatements()` on the artifact objects. */
const ARTIFACTS_SID = 'ReadWriteMlflowArtifacts';
