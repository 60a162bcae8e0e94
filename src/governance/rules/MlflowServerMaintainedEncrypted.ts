import { CfnOutput, CfnParameter, Stack, Stage } from 'aws-cdk-lib';
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
  const sameStack = buckets.filter((b) =>
    (b.stack === stack && ids.has(b.logicalId)) || (literal !== undefined && b.properties.BucketName === literal));
  // A team's App stores artifacts in the platform's bucket, another stack of the same stage: before synthesis
  // prepares references that is `{Ref: <logical id>}` of the other stack, after it an `Fn::ImportValue` of its
  // output. Every candidate bucket must be encrypted.
  // With an imported platform (`MlPlatform.fromPlatformName`) it is an SSM parameter of the team's template:
  // followed to the `AWS::SSM::Parameter` the platform publishes under that name, when the platform is in this stage.
  const imported = exportedLogicalIds(node, importedNames(uri));
  const published = publishedLogicalIds(node, ssmParameterNames(stack, ids));
  const candidates = sameStack.length > 0
    ? sameStack
    : buckets.filter((b) => Stage.of(b.stack) === Stage.of(stack)
      && (ids.has(b.logicalId) || imported.get(b.stack)?.has(b.logicalId) || published.get(b.stack)?.has(b.logicalId)));
  return candidates.length > 0 && candidates.every(kmsEncrypted);
}

function kmsEncrypted(bucket: { readonly properties: any }): boolean {
  const rules = at(bucket.properties, 'BucketEncryption.ServerSideEncryptionConfiguration');
  return Array.isArray(rules) && rules.some((r: any) => String(at(r, 'ServerSideEncryptionByDefault.SSEAlgorithm')).startsWith('aws:kms'));
}

/** The export names `value` imports (`Fn::ImportValue`), anywhere inside it. */
function importedNames(value: unknown, into: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) {
    value.forEach((v) => importedNames(v, into));
  } else if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (key === 'Fn::ImportValue' && typeof v === 'string') into.add(v);
      else importedNames(v, into);
    }
  }
  return into;
}

/** For each stack of the app, the logical ids its outputs named `names` export. */
function exportedLogicalIds(node: Parameters<MlOpsRule['check']>[0], names: Set<string>): Map<Stack, Set<string>> {
  const out = new Map<Stack, Set<string>>();
  if (names.size === 0) return out;
  for (const child of node.node.root.node.findAll()) {
    if (child instanceof CfnOutput && child.exportName !== undefined) {
      const stack = Stack.of(child);
      if (names.has(stack.resolve(child.exportName))) {
        const ids = out.get(stack) ?? new Set<string>();
        referencedLogicalIds(stack.resolve(child.value), ids);
        out.set(stack, ids);
      }
    }
  }
  return out;
}

/** The SSM parameter names that the template parameters `ids` of `stack` read (`AWS::SSM::Parameter::Value<String>`). */
function ssmParameterNames(stack: Stack, ids: Set<string>): Set<string> {
  const names = new Set<string>();
  for (const child of stack.node.findAll()) {
    if (child instanceof CfnParameter && Stack.of(child) === stack && ids.has(stack.resolve(child.logicalId))
      && String(child.type).startsWith('AWS::SSM::Parameter::Value<') && typeof child.default === 'string') {
      names.add(child.default);
    }
  }
  return names;
}

/** For each stack of the app, the logical ids the values of its `AWS::SSM::Parameter` resources named `names` reference. */
function publishedLogicalIds(node: Parameters<MlOpsRule['check']>[0], names: Set<string>): Map<Stack, Set<string>> {
  const out = new Map<Stack, Set<string>>();
  if (names.size === 0) return out;
  for (const parameter of resolvedResourcesOfApp(node, 'AWS::SSM::Parameter')) {
    if (names.has(parameter.properties.Name)) {
      const ids = out.get(parameter.stack) ?? new Set<string>();
      referencedLogicalIds(parameter.properties.Value, ids);
      out.set(parameter.stack, ids);
    }
  }
  return out;
}
