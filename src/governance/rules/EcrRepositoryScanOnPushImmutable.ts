import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag';
import { at, isTrue, resolveResource } from './private/cfn';
import { MlOpsRule } from './private/rule';

/** Training image repositories scan on push and have immutable tags. */
export const EcrRepositoryScanOnPushImmutable: MlOpsRule = {
  name: 'EcrRepositoryScanOnPushImmutable',
  level: NagMessageLevel.ERROR,
  info: 'An ECR repository does not scan images on push (ImageScanningConfiguration.ScanOnPush) or does not have ImageTagMutability IMMUTABLE.',
  explanation:
    'A training job names its image by tag. With mutable tags the same tag can later point at different code, so a run can no longer be ' +
    'reproduced or audited; scan on push reports known vulnerabilities before the image reaches a GPU instance.',
  check: (node) => {
    const resource = resolveResource(node);
    if (resource.type !== 'AWS::ECR::Repository') return NagRuleCompliance.NOT_APPLICABLE;
    const p = resource.properties;
    return isTrue(at(p, 'ImageScanningConfiguration.ScanOnPush')) && p.ImageTagMutability === 'IMMUTABLE'
      ? NagRuleCompliance.COMPLIANT
      : NagRuleCompliance.NON_COMPLIANT;
  },
};
