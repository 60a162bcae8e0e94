import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag';
import { at, isPresent, resolveResource, tagsOf } from './private/cfn';
import { isGpuInstanceType } from './private/gpu';
import { MlOpsRule } from './private/rule';
import { sageMakerJobs } from './private/sagemaker-jobs';
import { REQUIRED_COST_TAG_KEYS } from '../../core/tag-keys';

/** GPU-bearing resources carry the cost-allocation tags. */
export const GpuResourceCostTagged: MlOpsRule = {
  name: 'GpuResourceCostTagged',
  level: NagMessageLevel.ERROR,
  info:
    `A GPU-bearing resource lacks a cost tag (${REQUIRED_COST_TAG_KEYS.join(', ')}): an AWS Batch compute environment, EC2 instance, ` +
    'SageMaker notebook instance, endpoint config or processing job on a GPU/accelerator instance type, or a SageMaker pipeline with a GPU ' +
    'step (the tags may be on the pipeline or on every GPU step\'s Tags).',
  explanation:
    'GPU instances are most of an ML platform\'s bill. Without the team and cost-centre tags the spend cannot be allocated, budgeted or ' +
    'questioned per team. TrainyardTags.apply(scope, { teamName, costCenter }) tags every taggable resource.',
  check: (node) => {
    const resource = resolveResource(node);
    const p = resource.properties;
    const tagged = (tags: Record<string, unknown>) => REQUIRED_COST_TAG_KEYS.every((key) => isPresent(tags[key]));
    switch (resource.type) {
      case 'AWS::Batch::ComputeEnvironment':
        return judge(list(at(p, 'ComputeResources.InstanceTypes')).some(isGpuInstanceType), tagged(tagsOf(p)));
      case 'AWS::EC2::Instance':
      case 'AWS::SageMaker::NotebookInstance':
        return judge(isGpuInstanceType(p.InstanceType), tagged(tagsOf(p)));
      case 'AWS::SageMaker::EndpointConfig':
        return judge(list(p.ProductionVariants).some((v: any) => isGpuInstanceType(v?.InstanceType)), tagged(tagsOf(p)));
      case 'AWS::SageMaker::ProcessingJob':
        return judge(isGpuInstanceType(at(p, 'ProcessingResources.ClusterConfig.InstanceType')), tagged(tagsOf(p)));
      case 'AWS::SageMaker::Pipeline': {
        const jobs = sageMakerJobs(resource);
        if (!Array.isArray(jobs)) return NagRuleCompliance.NOT_APPLICABLE;
        const gpuJobs = jobs.filter((job) => job.instanceTypes.some(isGpuInstanceType));
        if (gpuJobs.length === 0) return NagRuleCompliance.NOT_APPLICABLE;
        const pipelineTags = tagsOf(p);
        return judge(true, gpuJobs.every((job) => tagged({ ...pipelineTags, ...job.tags })));
      }
      default:
        return NagRuleCompliance.NOT_APPLICABLE;
    }
  },
};

function judge(gpu: boolean, tagged: boolean): NagRuleCompliance {
  if (!gpu) return NagRuleCompliance.NOT_APPLICABLE;
  return tagged ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
}

/** A list property, or an empty list when it is absent or a token that resolves to a list only at deploy time. */
function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
