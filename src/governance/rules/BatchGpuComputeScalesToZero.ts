import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag';
import { at, resolveResource } from './private/cfn';
import { isGpuInstanceType } from './private/gpu';
import { MlOpsRule } from './private/rule';

/** GPU AWS Batch compute environments scale to zero. */
export const BatchGpuComputeScalesToZero: MlOpsRule = {
  name: 'BatchGpuComputeScalesToZero',
  level: NagMessageLevel.ERROR,
  info: 'An AWS Batch compute environment with GPU instance types keeps MinvCpus above 0.',
  explanation:
    'MinvCpus above zero keeps GPU instances running when the job queue is empty, billing for every idle hour. With MinvCpus 0 Batch ' +
    'launches instances when jobs arrive and terminates them when the queue drains.',
  check: (node) => {
    const resource = resolveResource(node);
    if (resource.type !== 'AWS::Batch::ComputeEnvironment') return NagRuleCompliance.NOT_APPLICABLE;
    const types = at(resource.properties, 'ComputeResources.InstanceTypes');
    if (!Array.isArray(types) || !types.some(isGpuInstanceType)) return NagRuleCompliance.NOT_APPLICABLE;
    const min = at(resource.properties, 'ComputeResources.MinvCpus');
    return min === undefined || min === 0 || min === '0' ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
};
