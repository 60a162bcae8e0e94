import { Duration, RemovalPolicy, Size, SizeRoundingBehavior, Token } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { TrainyardValidationError } from './errors';

/**
 * Checks that `value` is a whole number within [min, max]. Tokens pass through unchecked:
 * they are resolved at deploy time and cannot be judged at synth.
 *
 * @internal
 */
export function requireIntegerInRange(prop: string, value: number | undefined, min: number, max: number): void {
  if (value === undefined || Token.isUnresolved(value)) {
    return;
  }
  if (typeof value !== 'number' || !Number.isFinite(value) || !Number.isInteger(value)) {
    throw new TrainyardValidationError(prop, `must be a whole number from ${min} to ${max}, got ${String(value)}.`);
  }
  if (value < min || value > max) {
    throw new TrainyardValidationError(prop, `must be from ${min} to ${max}, got ${value}.`);
  }
}

/**
 * Checks that a string matches a service naming rule. Tokens pass through unchecked.
 *
 * @internal
 */
export function requireName(
  prop: string,
  value: string | undefined,
  rule: { readonly pattern: RegExp; readonly minLength: number; readonly maxLength: number; readonly description: string },
): void {
  if (value === undefined || Token.isUnresolved(value)) {
    return;
  }
  if (typeof value !== 'string') {
    throw new TrainyardValidationError(prop, `must be a string (${rule.description}), got ${typeof value}.`);
  }
  if (value.length < rule.minLength || value.length > rule.maxLength) {
    throw new TrainyardValidationError(
      prop,
      `must be ${rule.minLength} to ${rule.maxLength} characters (${rule.description}), got ${value.length}: "${value}".`,
    );
  }
  if (!rule.pattern.test(value)) {
    throw new TrainyardValidationError(prop, `"${value}" is not allowed: ${rule.description}.`);
  }
}

/**
 * Checks that a Duration is a whole number of days within [min, max] and returns the days.
 *
 * @internal
 */
export function requireWholeDays(prop: string, value: Duration, min: number, max: number): number {
  if (!value || typeof (value as any).toDays !== 'function') {
    throw new TrainyardValidationError(prop, `must be a Duration (for example Duration.days(${min})).`);
  }
  if (value.isUnresolved()) {
    return NaN;
  }
  const days = value.toDays({ integral: false });
  requireIntegerInRange(`${prop} (days)`, days, min, max);
  return days;
}

/**
 * Checks that a Duration is a whole number of seconds within [min, max] and returns the seconds
 * (NaN for an unresolved Duration, which is judged at deploy time).
 *
 * @internal
 */
export function requireWholeSeconds(prop: string, value: Duration, min: number, max: number): number {
  if (!value || typeof (value as any).toSeconds !== 'function') {
    throw new TrainyardValidationError(prop, `must be a Duration (for example Duration.seconds(${Math.max(min, 1)})).`);
  }
  if (value.isUnresolved()) {
    return NaN;
  }
  const seconds = value.toSeconds({ integral: false });
  requireIntegerInRange(`${prop} (seconds)`, seconds, min, max);
  return seconds;
}

/**
 * The rule of AWS tag values: letters, digits, spaces and `_ . : / = + - @`, at most 256 characters.
 *
 * @internal
 */
export const TAG_VALUE_RULE = {
  pattern: /^[\p{L}\p{N}\p{Z}_.:/=+@-]+$/u,
  minLength: 1,
  maxLength: 256,
  description: 'a tag value: letters, digits, spaces and _ . : / = + - @, at most 256 characters',
};

/**
 * Checks that `value` is a RemovalPolicy and returns it (`fallback` when undefined).
 *
 * @internal
 */
export function requireRemovalPolicy(prop: string, value: RemovalPolicy | undefined, fallback: RemovalPolicy = RemovalPolicy.RETAIN): RemovalPolicy {
  const policy = value ?? fallback;
  if (!(Object.values(RemovalPolicy) as string[]).includes(policy)) {
    throw new TrainyardValidationError(prop, `must be a RemovalPolicy (${Object.values(RemovalPolicy).join(', ')}), got '${String(policy)}'.`);
  }
  return policy;
}

/**
 * Checks that `value` is one of the retention periods CloudWatch Logs offers (`logs.RetentionDays`).
 * Undefined passes.
 *
 * @internal
 */
export function requireRetentionDays(prop: string, value: logs.RetentionDays | undefined): void {
  if (value !== undefined && !(Object.values(logs.RetentionDays) as unknown[]).includes(value)) {
    throw new TrainyardValidationError(prop, `must be a logs.RetentionDays (a number of days CloudWatch Logs offers, such as 365), got ${String(value)}.`);
  }
}

/**
 * Checks that `value` looks like a SageMaker instance type (`ml.<family>.<size>`). Tokens and
 * undefined pass.
 *
 * @internal
 */
export function requireInstanceType(prop: string, value: string | undefined): void {
  if (value === undefined || Token.isUnresolved(value)) {
    return;
  }
  if (typeof value !== 'string' || !/^ml\.[a-z0-9-]+\.[a-z0-9]+$/.test(value)) {
    throw new TrainyardValidationError(prop, `must be a SageMaker instance type such as 'ml.g5.2xlarge', got '${String(value)}'.`);
  }
}

/**
 * Checks that a Size is a whole number of GiB within [min, max] and returns the GiB.
 *
 * @internal
 */
export function requireWholeGibibytes(prop: string, value: Size, min: number, max: number): number {
  if (!value || typeof (value as any).toGibibytes !== 'function') {
    throw new TrainyardValidationError(prop, `must be a Size (for example Size.gibibytes(${Math.max(min, 1)})).`);
  }
  if (value.isUnresolved()) {
    throw new TrainyardValidationError(prop, 'must be a Size known at synth, not a token.');
  }
  const gib = value.toGibibytes({ rounding: SizeRoundingBehavior.NONE });
  requireIntegerInRange(`${prop} (GiB)`, gib, min, max);
  return gib;
}
