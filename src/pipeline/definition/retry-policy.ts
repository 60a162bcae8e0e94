import { Duration } from 'aws-cdk-lib';
import { TrainyardValidationError } from '../../core/errors';
import { requireDuration, requireWholeSeconds } from '../../core/validate';

/** The longest wait before a retry SageMaker accepts (`IntervalSeconds`): 12 hours. */
const MAX_INTERVAL_SECONDS = 43_200;

/**
 * The failures a step retry policy retries.
 */
export enum RetryExceptionType {
  /** The pipeline service failed to run the step. */
  STEP_SERVICE_FAULT = 'Step.SERVICE_FAULT',
  /** The pipeline service was throttled. */
  STEP_THROTTLING = 'Step.THROTTLING',
  /** The SageMaker job failed with an internal error. */
  SAGEMAKER_JOB_INTERNAL_ERROR = 'SageMaker.JOB_INTERNAL_ERROR',
  /** Not enough capacity (for example no spot or GPU capacity) to start the job. */
  SAGEMAKER_CAPACITY_ERROR = 'SageMaker.CAPACITY_ERROR',
  /** An account limit (for example instances of a type) was reached. */
  SAGEMAKER_RESOURCE_LIMIT = 'SageMaker.RESOURCE_LIMIT',
}

/**
 * Properties of a step retry policy.
 */
export interface RetryPolicyProps {
  /** The failures to retry. */
  readonly exceptionTypes: RetryExceptionType[];
  /**
   * How long to wait before the first retry: a whole number of seconds from 1 second to 12 hours.
   *
   * @default Duration.seconds(1)
   */
  readonly interval?: Duration;
  /**
   * The factor the wait grows by after each retry.
   *
   * @default 2
   */
  readonly backoffRate?: number;
  /**
   * How many times to retry, from 1 to 20. Cannot be combined with `expireAfter`.
   *
   * @default 5 (unless `expireAfter` is set)
   */
  readonly maxAttempts?: number;
  /**
   * Stop retrying this long after the first failure, up to 14,400 minutes. Cannot be combined with `maxAttempts`.
   *
   * @default - limited by `maxAttempts`
   */
  readonly expireAfter?: Duration;
}

/**
 * A step's retry policy (`RetryPolicies` in the definition).
 */
export class RetryPolicy {
  /**
   * The default of training steps: retry capacity (spot, GPU), internal and resource-limit errors of
   * the job for up to 5 attempts, waiting 1 minute, then 2, 4, ...
   */
  public static sageMakerJobDefaults(): RetryPolicy {
    return new RetryPolicy({
      exceptionTypes: [
        RetryExceptionType.SAGEMAKER_CAPACITY_ERROR,
        RetryExceptionType.SAGEMAKER_JOB_INTERNAL_ERROR,
        RetryExceptionType.SAGEMAKER_RESOURCE_LIMIT,
      ],
      interval: Duration.minutes(1),
      backoffRate: 2,
      maxAttempts: 5,
    });
  }

  /** The default of every job step: retry pipeline service faults and throttling for up to 5 attempts. */
  public static serviceDefaults(): RetryPolicy {
    return new RetryPolicy({
      exceptionTypes: [RetryExceptionType.STEP_SERVICE_FAULT, RetryExceptionType.STEP_THROTTLING],
      interval: Duration.seconds(5),
      backoffRate: 2,
      maxAttempts: 5,
    });
  }

  /** A custom retry policy. */
  public static of(props: RetryPolicyProps): RetryPolicy {
    return new RetryPolicy(props);
  }

  private constructor(private readonly props: RetryPolicyProps) {
    if (!Array.isArray(props.exceptionTypes) || props.exceptionTypes.length === 0) {
      throw new TrainyardValidationError('RetryPolicyProps.exceptionTypes', 'must name at least one RetryExceptionType.');
    }
    if (props.maxAttempts !== undefined && props.expireAfter !== undefined) {
      throw new TrainyardValidationError('RetryPolicyProps.maxAttempts', 'cannot be combined with RetryPolicyProps.expireAfter; set one of the two.');
    }
    if (props.maxAttempts !== undefined && (!Number.isInteger(props.maxAttempts) || props.maxAttempts < 1 || props.maxAttempts > 20)) {
      throw new TrainyardValidationError('RetryPolicyProps.maxAttempts', `must be a whole number from 1 to 20, got ${props.maxAttempts}.`);
    }
    if (props.expireAfter !== undefined) {
      requireDuration('RetryPolicyProps.expireAfter', props.expireAfter, {
        unit: 'minutes', min: 1, max: 14400, literalReason: 'the pipeline definition is rendered at synth',
      });
    }
    if (props.backoffRate !== undefined && !(props.backoffRate >= 1 && Number.isFinite(props.backoffRate))) {
      throw new TrainyardValidationError('RetryPolicyProps.backoffRate', `must be a finite number of at least 1, got ${props.backoffRate}.`);
    }
    const known = Object.values(RetryExceptionType) as string[];
    for (const type of props.exceptionTypes) {
      if (!known.includes(type)) {
        throw new TrainyardValidationError('RetryPolicyProps.exceptionTypes', `'${String(type)}' is not a RetryExceptionType (${known.join(', ')}).`);
      }
    }
    if (props.interval !== undefined) {
      requireWholeSeconds('RetryPolicyProps.interval', props.interval, 1, MAX_INTERVAL_SECONDS);
    }
  }

  /** The failures this policy retries. */
  public get exceptionTypes(): RetryExceptionType[] {
    return [...this.props.exceptionTypes];
  }

  /** The policy's entry in a step's `RetryPolicies`. */
  public render(): any {
    const expireAfter = this.props.expireAfter?.toMinutes();
    return {
      ExceptionType: [...this.props.exceptionTypes],
      IntervalSeconds: (this.props.interval ?? Duration.seconds(1)).toSeconds(),
      BackoffRate: this.props.backoffRate ?? 2,
      ...(expireAfter !== undefined ? { ExpireAfterMin: expireAfter } : { MaxAttempts: this.props.maxAttempts ?? 5 }),
    };
  }
}
