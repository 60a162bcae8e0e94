import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { ManagedPolicyGrantee } from '../../core/managed-policy-grantee';
import { AcknowledgementCatalogue } from '../../core/private/acknowledgement-catalogue';
import { acknowledgeWildcards } from '../../core/private/wildcard-acknowledgement';
import { IExperimentTracking } from '../../registry/experiment-tracking';

/**
 * `tracking.grantAccess(...)` to `role`, landing in a customer-managed policy (`ExperimentTrackingPolicy`,
 * under `scope`): the MLflow API on the app or server, its artifact prefix and key. An inline
 * policy would be rejected on roles by NIST 800-53 and HIPAA (IAMNoInlinePolicy). The
 * artifact-prefix wildcard is acknowledged by statement.
 *
 * @internal
 */
export function grantExperimentTracking(scope: Construct, tracking: IExperimentTracking, role: iam.IRole, description: string): ManagedPolicyGrantee {
  const grantee = new ManagedPolicyGrantee(scope, 'ExperimentTrackingPolicy', { role, description });
  const grant = tracking.grantAccess(grantee);
  const artifacts = grant.principalStatements.map((s) => s.sid).filter((sid): sid is string => sid?.startsWith(ARTIFACTS_SID) === true);
  if (artifacts.length > 0) {
    acknowledgeWildcards(grantee.policy, artifacts.map((statementSid) => ({
      statementSid,
      reason: AcknowledgementCatalogue.MLFLOW_ARTIFACT_OBJECTS_REASON,
    })));
  }
  return grantee;
}

/** The statement id `IExperimentTracking.grantAccess` gives the artifact objects. */
const ARTIFACTS_SID = 'ReadWriteMlflowArtifacts';
