import { createHash } from 'node:crypto';
import { Token } from 'aws-cdk-lib';

/** How many hex characters of the hash a shortened name ends with. */
const HASH_LENGTH = 8;

/**
 * The length limit of a physical name. Any rule object with a `maxLength` fits, so the rules given
 * to `requireName` can be passed as they are.
 *
 * @internal
 */
export interface PhysicalNameLimit {
  /** The most characters the service accepts. At least 9. */
  readonly maxLength: number;
}

/**
 * A physical name derived from team names, pipeline names or construct ids, kept within a service's
 * length limit.
 *
 * A name that fits is returned unchanged, so deriving names this way never renames a resource whose
 * name already fits. A longer name keeps as much of its start as fits before `-` and the first 8 hex
 * characters of the SHA-256 of the whole name: two long names that share their start stay distinct,
 * and the result is the same at every synth. Characters other than letters and digits are trimmed
 * from the end of the kept part, so a name that follows a service pattern such as
 * `^[a-zA-Z0-9](-*[a-zA-Z0-9])*$` (SageMaker), the S3 bucket rule or the ECR rule still does.
 *
 * Tokens are returned unchanged: their length is only known at deploy time.
 *
 * @internal
 */
export function boundedName(full: string, limit: PhysicalNameLimit): string {
  const maxLength = limit.maxLength;
  if (!Number.isInteger(maxLength) || maxLength < HASH_LENGTH + 1) {
    throw new Error(`boundedName: maxLength must be a whole number of at least ${HASH_LENGTH + 1}, got ${maxLength}.`);
  }
  if (Token.isUnresolved(full) || full.length <= maxLength) {
    return full;
  }
  const hash = createHash('sha256').update(full).digest('hex').slice(0, HASH_LENGTH);
  const head = full.slice(0, maxLength - HASH_LENGTH - 1).replace(/[^A-Za-z0-9]+$/, '');
  return head.length > 0 ? `${head}-${hash}` : hash;
}
