import { CfnParameter, CfnResource, Stack } from 'aws-cdk-lib';
import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag';
import { resolveResource } from './private/cfn';
import { MlOpsRule } from './private/rule';

/** The guarantees of a queue's quota shares fit its service environment. */
export const BatchQuotaShareGuaranteesWithinPool: MlOpsRule = {
  name: 'BatchQuotaShareGuaranteesWithinPool',
  level: NagMessageLevel.ERROR,
  info: 'The quota shares of an AWS Batch SAGEMAKER_TRAINING job queue guarantee more instances of a type than its service environment has.',
  explanation:
    'A guarantee is a promise that a team gets that capacity back when it needs it. When the guarantees for an instance type add up to more ' +
    'than the pool\'s capacity limit, some team cannot get its guarantee even by preempting every borrower. Lower the guarantees or raise ' +
    'the capacity (and the account quota behind it).',
  check: (node) => {
    const resource = resolveResource(node);
    if (resource.type !== 'AWS::Batch::JobQueue' || resource.properties.JobQueueType !== 'SAGEMAKER_TRAINING') {
      return NagRuleCompliance.NOT_APPLICABLE;
    }
    const capacity = poolCapacity(node, resource.properties.ServiceEnvironmentOrder);
    if (capacity === undefined) return NagRuleCompliance.NOT_APPLICABLE;
    const guaranteed = new Map<string, number>();
    for (const share of sharesOf(node, resource.logicalId)) {
      for (const limit of share.CapacityLimits ?? []) {
        if (typeof limit?.CapacityUnit !== 'string' || typeof limit?.MaxCapacity !== 'number') continue;
        guaranteed.set(limit.CapacityUnit, (guaranteed.get(limit.CapacityUnit) ?? 0) + limit.MaxCapacity);
      }
    }
    for (const [unit, sum] of guaranteed) {
      const max = capacity.get(unit);
      if (max !== undefined && sum > max) return NagRuleCompliance.NON_COMPLIANT;
    }
    return NagRuleCompliance.COMPLIANT;
  },
};

/** The capacity limits (unit to maximum) of the queue's service environment, when it is in the same stack. */
function poolCapacity(queue: CfnResource, order: unknown): Map<string, number> | undefined {
  const ref = Array.isArray(order) && order.length === 1 ? order[0]?.ServiceEnvironment?.Ref : undefined;
  if (typeof ref !== 'string') return undefined;
  const environment = Stack.of(queue).node.findAll()
    .find((c): c is CfnResource => CfnResource.isCfnResource(c) && c.cfnResourceType === 'AWS::Batch::ServiceEnvironment'
      && Stack.of(c) === Stack.of(queue) && resolveResource(c).logicalId === ref);
  if (!environment) return undefined;
  const limits = resolveResource(environment).properties.CapacityLimits;
  const out = new Map<string, number>();
  for (const limit of Array.isArray(limits) ? limits : []) {
    if (typeof limit?.CapacityUnit === 'string' && typeof limit?.MaxCapacity === 'number') {
      out.set(limit.CapacityUnit, limit.MaxCapacity);
    }
  }
  return out;
}

/**
 * The properties of every quota share of the app whose JobQueue is this queue. A share in the same
 * stack refers to it by `Ref`; a share in another stack either through a cross-stack reference (which
 * resolves to the queue's `Ref` in the queue's own stack) or, as `TrainingCapacityPool` does, through
 * an SSM parameter: a `AWS::SSM::Parameter::Value<String>` parameter of the share's stack naming an
 * `AWS::SSM::Parameter` of the app whose value is the queue's `Ref`.
 */
function sharesOf(queue: CfnResource, queueLogicalId: string): any[] {
  const queueStack = Stack.of(queue);
  const all = queue.node.root.node.findAll();
  const queueParameterNames = new Set(all
    .filter((c): c is CfnResource => CfnResource.isCfnResource(c) && c.cfnResourceType === 'AWS::SSM::Parameter' && Stack.of(c) === queueStack)
    .map((c) => resolveResource(c).properties)
    .filter((p) => p.Value?.Ref === queueLogicalId && typeof p.Name === 'string')
    .map((p) => p.Name as string));
  return all
    .filter((c): c is CfnResource => CfnResource.isCfnResource(c) && c.cfnResourceType === 'AWS::Batch::QuotaShare')
    .filter((share) => {
      const raw = (share as any).jobQueue ?? (share as any)._cfnProperties?.JobQueue;
      if (queueStack.resolve(raw)?.Ref === queueLogicalId) return true;
      const shareStack = Stack.of(share);
      const ref = shareStack.resolve(raw)?.Ref;
      if (typeof ref !== 'string' || queueParameterNames.size === 0) return false;
      const parameter = shareStack.node.findAll()
        .find((c): c is CfnParameter => c instanceof CfnParameter && shareStack.resolve(c.logicalId) === ref);
      return parameter !== undefined && parameter.type === 'AWS::SSM::Parameter::Value<String>'
        && queueParameterNames.has(String(parameter.default));
    })
    .map((share) => resolveResource(share).properties);
}
