import { Token } from 'aws-cdk-lib';
import { TrainyardValidationError } from '../../../core/errors';

/**
 * Checks that `value` looks like a SageMaker instance type (`ml.<family>.<size>`). Tokens and
 * undefined pass.
 */
export function requireInstanceType(prop: string, value: string | undefined): void {
  if (value === undefined || Token.isUnresolved(value)) {
    return;
  }
  if (typeof value !== 'string' || !/^ml\.[a-z0-9-]+\.[a-z0-9]+$/.test(value)) {
    throw new TrainyardValidationError(prop, `must be a SageMaker instance type such as 'ml.g5.2xlarge', got '${String(value)}'.`);
  }
}
