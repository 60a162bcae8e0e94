import { Token } from 'aws-cdk-lib';

/**
 * The instance types the job steps of a rendered pipeline definition request: Training
 * (`ResourceConfig.InstanceType` or its instance groups), Processing (`ClusterConfig.InstanceType`)
 * Tuning (`TrainingJobDefinition(s).ResourceConfig`) and queued training (a Callback step's
 * `TrainingJobRequest.ResourceConfig`), Condition branches included. A type
 * given as a pipeline parameter counts with its default value; deploy-time tokens are skipped.
 *
 * @internal
 */
export function stepInstanceTypes(definition: any): string[] {
  const defaults = new Map<string, unknown>((definition?.Parameters ?? []).map((p: any) => [p.Name, p.DefaultValue]));
  const literal = (v: unknown): string | undefined => {
    if (v && typeof v === 'object' && typeof (v as any).Get === 'string' && (v as any).Get.startsWith('Parameters.')) {
      return literal(defaults.get((v as any).Get.slice('Parameters.'.length)));
    }
    return typeof v === 'string' && !Token.isUnresolved(v) ? v : undefined;
  };
  const ofResourceConfig = (rc: any): unknown[] => (rc?.InstanceGroups ? rc.InstanceGroups.map((g: any) => g?.InstanceType) : [rc?.InstanceType]);
  const types: unknown[] = [];
  const visit = (steps: any[]) => {
    for (const step of steps ?? []) {
      const a = step?.Arguments ?? {};
      if (step?.Type === 'Training') types.push(...ofResourceConfig(a.ResourceConfig));
      // A QueuedTrainingStep: a Callback step carrying the CreateTrainingJob request it queues.
      if (step?.Type === 'Callback' && a.TrainingJobRequest) types.push(...ofResourceConfig(a.TrainingJobRequest.ResourceConfig));
      if (step?.Type === 'Processing') types.push(a.ProcessingResources?.ClusterConfig?.InstanceType);
      if (step?.Type === 'Tuning') {
        for (const def of [a.TrainingJobDefinition, ...(a.TrainingJobDefinitions ?? [])]) types.push(...ofResourceConfig(def?.ResourceConfig));
      }
      visit(a.IfSteps);
      visit(a.ElseSteps);
    }
  };
  visit(definition?.Steps);
  return [...new Set(types.map(literal).filter((t): t is string => t !== undefined))].sort();
}
