import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag';
import { resolveResource } from './private/cfn';
import { readPipelineDefinition } from './private/pipeline-definition';
import { MlOpsRule } from './private/rule';

/** Pipeline definitions can be read at synth, so the step rules can judge them. */
export const SageMakerPipelineDefinitionReadable: MlOpsRule = {
  name: 'SageMakerPipelineDefinitionReadable',
  level: NagMessageLevel.WARN,
  info:
    'A SageMaker pipeline definition cannot be read at synth (PipelineDefinitionS3Location, or a body that is not JSON), so the step rules ' +
    '(VPC, isolation, encryption, runtime, spot checkpoints, approval, cost tags) could not check it.',
  explanation:
    'MlOpsChecks reads PipelineDefinitionBody. A definition uploaded to S3 is only known at deploy time; inline it (a JSON string, tokens ' +
    'allowed) or acknowledge this warning with the reason the definition is trusted.',
  check: (node) => {
    const resource = resolveResource(node);
    if (resource.type !== 'AWS::SageMaker::Pipeline') return NagRuleCompliance.NOT_APPLICABLE;
    return readPipelineDefinition(resource.properties).readable ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
};
