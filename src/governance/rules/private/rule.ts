import { CfnResource } from 'aws-cdk-lib';
import { NagMessageLevel, NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { resolveResource } from './cfn';
import { SageMakerJobView, sageMakerJobs } from './sagemaker-jobs';

/**
 * One MlOpsChecks rule: its name (the finding id is `MlOps-<name>`), level, the message a finding
 * shows (`info`), why the rule exists (`explanation`) and the check.
 *
 * @internal
 */
export interface MlOpsRule {
  readonly name: string;
  readonly level: NagMessageLevel;
  readonly info: string;
  readonly explanation: string;
  readonly check: (node: CfnResource) => NagRuleResult;
}

/**
 * Judges every SageMaker training or processing job a resource starts (pipeline steps included):
 * N/A when the resource starts none that `appliesTo` (or its pipeline definition cannot be read:
 * MlOps-SageMakerPipelineDefinitionReadable reports that), compliant when all of them pass `passes`.
 *
 * @internal
 */
export function judgeJobs(
  node: CfnResource,
  appliesTo: (job: SageMakerJobView) => boolean,
  passes: (job: SageMakerJobView) => boolean,
): NagRuleCompliance {
  const jobs = sageMakerJobs(resolveResource(node));
  if (jobs === undefined || jobs === 'unreadable') {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const relevant = jobs.filter(appliesTo);
  if (relevant.length === 0) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  return relevant.every(passes) ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
}
