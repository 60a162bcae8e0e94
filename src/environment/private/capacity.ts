import { Token } from 'aws-cdk-lib';
import { TrainyardValidationError } from '../../core/errors';
import { requireInstanceType, requireIntegerInRange } from '../../core/validate';

/** AWS Batch: quota shares per job queue (not adjustable). */
export const MAX_SHARES_PER_QUEUE = 20;
/** AWS Batch: capacity limits (instance types) per quota share (not adjustable). */
export const MAX_INSTANCE_TYPES_PER_SHARE = 5;
/** The largest per-type maximum Trainyard accepts (catches typos; far above any account's quota). */
export const MAX_INSTANCES_PER_TYPE = 10_000;

/** One instance type and a count (the shape of `InstanceQuota`). */
export interface QuotaLike {
  readonly instanceType: string;
  readonly maxInstances: number;
}

/**
 * Checks a list of instance quotas: an array of `{ instanceType, maxInstances }` with distinct
 * SageMaker instance types and whole counts from 1 to `maxCount`. Returns a copy.
 *
 * @internal
 */
export function validateQuotas(prop: string, quotas: QuotaLike[], maxCount: number): QuotaLike[] {
  if (!Array.isArray(quotas)) {
    throw new TrainyardValidationError(prop, `must be a list of { instanceType, maxInstances }, got ${String(quotas)}.`);
  }
  const seen = new Set<string>();
  return quotas.map((q, i) => {
    if (!q || typeof q !== 'object') {
      throw new TrainyardValidationError(`${prop}[${i}]`, `must be { instanceType, maxInstances }, got ${String(q)}.`);
    }
    if (typeof q.instanceType !== 'string' || Token.isUnresolved(q.instanceType)) {
      throw new TrainyardValidationError(`${prop}[${i}].instanceType`, "must be a literal SageMaker instance type such as 'ml.g5.2xlarge'.");
    }
    requireInstanceType(`${prop}[${i}].instanceType`, q.instanceType);
    if (seen.has(q.instanceType)) {
      throw new TrainyardValidationError(`${prop}[${i}].instanceType`, `lists ${q.instanceType} twice; give each instance type once.`);
    }
    seen.add(q.instanceType);
    if (Token.isUnresolved(q.maxInstances)) {
      throw new TrainyardValidationError(`${prop}[${i}].maxInstances`, 'must be a literal number: guarantees are checked against the pool at synth.');
    }
    requireIntegerInRange(`${prop}[${i}].maxInstances`, q.maxInstances, 1, maxCount);
    return { instanceType: q.instanceType, maxInstances: q.maxInstances };
  });
}
