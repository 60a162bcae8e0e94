import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag';
import { resolveResource } from './private/cfn';
import { MlOpsRule } from './private/rule';

/** Job queues get generated names. */
export const BatchJobQueueNameGenerated: MlOpsRule = {
  name: 'BatchJobQueueNameGenerated',
  level: NagMessageLevel.ERROR,
  info: 'An AWS Batch job queue has a fixed JobQueueName.',
  explanation:
    'Changing a property that replaces the queue makes CloudFormation create the new queue before deleting the old one; with a fixed name ' +
    'the creation fails and the stack rolls back. Let CloudFormation generate the name and hand it to users and code through outputs ' +
    '(TrainingCapacityPool.jobQueueName).',
  check: (node) => {
    const resource = resolveResource(node);
    if (resource.type !== 'AWS::Batch::JobQueue') return NagRuleCompliance.NOT_APPLICABLE;
    return resource.properties.JobQueueName === undefined ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
};
