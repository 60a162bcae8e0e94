import { Stack } from 'aws-cdk-lib';
import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag';
import { at, isPresent, referencedLogicalIds, resolvedResourcesOfApp, resolveResource } from './private/cfn';
import { MlOpsRule } from './private/rule';

/** MLflow tracking servers (and serverless MLflow apps) have a maintenance window and a KMS-encrypted artifact store. */
export const MlflowServerMaintainedEncrypted: MlOpsRule = {
  name: 'MlflowServerMaintainedEncrypted',
  level: NagMessageLevel.ERROR,
  info:
    'A SageMaker MLflow tracking server or MLflow app has no WeeklyMaintenanceWindowStart, or its ArtifactStoreUri is not a bucket of this ' +
    'app with SSE-KMS default encryption.',
  explanation:
    'Without a maintenance window SageMaker patches the server whenever it chooses, in the middle of a training run\'s logging. The artifact ' +
    'store holds models and evaluation data: it must be encrypted with a KMS key the platform controls, which can only be verified at synth ' +
    'for a bucket defined in the same app.',
  check: (node) => {
    const resource = resolveResource(node);
    if (resource.type !== 'AWS::SageMaker::MlflowTrackingServer' && resource.type !== 'AWS::SageMaker::MlflowApp') {
      return NagRuleCompliance.NOT_APPLICABLE;
    }
    const p = resource.properties;
    return isPresent(p.WeeklyMaintenanceWindowStart) && artifactStoreEncrypted(node, p.ArtifactStoreUri)
      ? NagRuleCompliance.COMPLIANT
      : NagRuleCompliance.NON_COMPLIANT;
  },
};

function artifactStoreEncrypted(node: Parameters<MlOpsRule['check']>[0], uri: unknown): boolean {
  const stack = Stack.of(node);
  const buckets = resolvedResourcesOfApp(node, 'AWS::S3::Bucket');
  const ids = referencedLogicalIds(uri);
  const literal = typeof uri === 'string' ? /^s3:\/\/([^/]+)/.exec(uri)?.[1] : undefined;
  const bucket = buckets.find((b) => (b.stack === stack && ids.has(b.logicalId)) || (literal !== undefined && b.properties.BucketName === literal));
  if (!bucket) return false;
  const rules = at(bucket.properties, 'BucketEncryption.ServerSideEncryptionConfiguration');
  return Array.isArray(rules) && rules.some((r: any) => String(at(r, 'ServerSideEncryptionByDefault.SSEAlgorithm')).startsWith('aws:kms'));
}
