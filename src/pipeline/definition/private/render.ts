import type { PipelineExpression } from '../pipeline-expression';
import type { StepCacheConfig } from '../pipeline-step';
import type { RetryPolicy } from '../retry-policy';
import { RUN_TAG_KEYS } from './run-tag-keys';
import { TrainyardValidationError } from '../../../core/errors';
import { requireWholeSeconds } from '../../../core/validate';
import type { ITrainingEnvironment } from '../../../environment/training-environment';

/**
 * How steps are rendered: the definition-level tags every job carries.

 */
export interface StepRenderContext {
  readonly runTags: Array<{ key: string; value: PipelineExpression }>;
}

/**
 * Renders cache config and retry policies of job steps.

 */
export function renderJobStepOptions(cache: StepCacheConfig | undefined, retryPolicies: RetryPolicy[]): any {
  return {
    ...(cache ? { CacheConfig: { Enabled: cache.enabled ?? true, ExpireAfter: cache.expireAfter.toIsoString() } } : {}),
    ...(retryPolicies.length > 0 ? { RetryPolicies: retryPolicies.map((p) => p.render()) } : {}),
  };
}

/**
 * Renders `{Key, Value}` tags.

 */
export function renderTags(tags: Array<{ key: string; value: any }>): any[] {
  const seen = new Map<string, any>();
  for (const tag of tags) {
    seen.set(tag.key, tag.value);
  }
  return [...seen.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([Key, Value]) => ({ Key, Value }));
}

/**
 * Checks a job step's cache settings when the step is built, naming the step: a cache that expires
 * at once (`PT0S`) or after a fraction of a second is a mistake SageMaker would only report at run time.
 */
export function checkStepCache(step: string, cache: StepCacheConfig | undefined): void {
  if (cache === undefined) {
    return;
  }
  if (cache.enabled !== undefined && typeof cache.enabled !== 'boolean') {
    throw new TrainyardValidationError(`${step}.cache.enabled`, `must be true or false, got ${String(cache.enabled)}.`);
  }
  requireWholeSeconds(`${step}.cache.expireAfter`, cache.expireAfter, 1, Number.MAX_SAFE_INTEGER);
}

/**
 * The `Environment` argument of a job: the team environment's default variables (such as
 * `MLFLOW_TRACKING_URI`), overridden by the step's own. Empty when there are none.
 */
export function environmentVariables(
  environment: ITrainingEnvironment,
  variables: { [name: string]: PipelineExpression } | undefined,
  valueOf: (e: PipelineExpression) => any,
): { Environment?: { [name: string]: any } } {
  const merged: { [name: string]: any } = {
    ...(environment.trainingJobDefaults.environment ?? {}),
    ...Object.fromEntries(Object.entries(variables ?? {}).map(([k, v]) => [k, valueOf(v)])),
  };
  return Object.keys(merged).length > 0 ? { Environment: merged } : {};
}

/**
 * The tags of a job: the team environment's tags, the team run tag and the definition's run tags.
 */
export function environmentTags(
  environment: ITrainingEnvironment,
  context: StepRenderContext,
  valueOf: (e: PipelineExpression) => any,
): any[] {
  return renderTags([
    ...Object.entries(environment.trainingJobDefaults.tags ?? {}).map(([key, value]) => ({ key, value })),
    { key: RUN_TAG_KEYS.team, value: environment.teamName },
    ...context.runTags.map((t) => ({ key: t.key, value: valueOf(t.value) })),
  ]);
}
