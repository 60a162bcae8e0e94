import { CfnResource, Stack } from 'aws-cdk-lib';
import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag';
import { referencedLogicalId, resolvedResourcesOfApp, resolveResource, tagsOf } from './private/cfn';
import { allSteps, argumentValue, readPipelineDefinition } from './private/pipeline-definition';
import { MlOpsRule } from './private/rule';
import { NON_PRODUCTION, TAG_KEYS } from '../../core/tag-keys';

/** Registered models wait for a human approval unless their group is marked non-production. */
export const SageMakerModelApprovalManual: MlOpsRule = {
  name: 'SageMakerModelApprovalManual',
  level: NagMessageLevel.ERROR,
  info:
    'A RegisterModel step or AWS::SageMaker::ModelPackage registers models as Approved, and its model package group is not tagged ' +
    `${TAG_KEYS.stage}=${NON_PRODUCTION}.`,
  explanation:
    'An approved model package is what deployment automation promotes. Registering as PendingManualApproval (the default) keeps a person, ' +
    'or an approval workflow, between a pipeline run and production. Groups for experiments can opt out by being tagged non-production.',
  check: (node) => {
    const resource = resolveResource(node);
    const registrations: Array<{ status: unknown; group: unknown }> = [];
    if (resource.type === 'AWS::SageMaker::Pipeline') {
      const read = readPipelineDefinition(resource.properties);
      if (!read.readable) return NagRuleCompliance.NOT_APPLICABLE;
      for (const step of allSteps(read.definition)) {
        if (step.Type === 'RegisterModel') {
          registrations.push({
            status: argumentValue(read.definition, step.Arguments?.ModelApprovalStatus),
            group: argumentValue(read.definition, step.Arguments?.ModelPackageGroupName),
          });
        }
      }
    } else if (resource.type === 'AWS::SageMaker::ModelPackage') {
      registrations.push({ status: resource.properties.ModelApprovalStatus, group: resource.properties.ModelPackageGroupName });
    } else {
      return NagRuleCompliance.NOT_APPLICABLE;
    }
    if (registrations.length === 0) return NagRuleCompliance.NOT_APPLICABLE;
    const autoApproved = registrations.filter((r) => r.status === 'Approved');
    return autoApproved.every((r) => isNonProductionGroup(node, r.group)) ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
};

/** True when `group` (a name or a reference) is a model package group of this app tagged non-production. */
function isNonProductionGroup(node: CfnResource, group: unknown): boolean {
  const stack = Stack.of(node);
  const logicalId = referencedLogicalId(group);
  const match = resolvedResourcesOfApp(node, 'AWS::SageMaker::ModelPackageGroup').find((g) =>
    logicalId !== undefined ? g.stack === stack && g.logicalId === logicalId : typeof group === 'string' && g.properties.ModelPackageGroupName === group,
  );
  return match !== undefined && tagsOf(match.properties)[TAG_KEYS.stage] === NON_PRODUCTION;
}
