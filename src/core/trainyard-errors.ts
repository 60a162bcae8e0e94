import { TrainyardValidationError } from './errors';

/**
 * Tells Trainyard's validation errors apart from other errors (jsii languages cannot catch the
 * error class itself, so test the error with this instead).
 */
export class TrainyardErrors {
  /** True if `error` is a Trainyard validation error: a prop, config or argument was rejected. */
  public static isValidationError(error: any): boolean {
    return error instanceof TrainyardValidationError || error?.name === 'TrainyardValidationError';
  }

  private constructor() {}
}
