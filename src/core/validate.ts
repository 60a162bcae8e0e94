import { Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
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

/** The unit a Duration prop is judged in. */
export type DurationUnit = 'seconds' | 'minutes' | 'hours' | 'days';

/**
 * What a Duration prop allows: an amount of `unit` within [min, max].
 *
 * @internal
 */
export interface DurationRule {
  /** The unit the bounds are in, and that the error message names (`<prop> (<unit>)`). */
  readonly unit: DurationUnit;
  /** The smallest amount allowed (inclusive). */
  readonly min: number;
  /** The largest amount allowed (inclusive). */
  readonly max: number;
  /** What the maximum is, said in the message (for example `28 days, the SageMaker limit`). */
  readonly maxNote?: string;
  /**
   * Why a token cannot be accepted. Without it, an unresolved Duration passes (it is judged at deploy
   * time) and the check returns NaN.
   */
  readonly literalReason?: string;
}

const SECONDS_PER: Record<DurationUnit, number> = { seconds: 1, minutes: 60, hours: 3600, days: 86400 };
const DURATION_FACTORY: Record<DurationUnit, string> = { seconds: 'Duration.seconds', minutes: 'Duration.minutes', hours: 'Duration.hours', days: 'Duration.days' };

/**
 * The one Duration check: `value` must be a Duration of a whole number of `rule.unit` within
 * [rule.min, rule.max]. Returns that number of units (NaN for a token the rule lets through).
 *
 * Errors name `<prop> (<unit>)` for an amount out of range, and `<prop>` for a value that is not a
 * Duration or a refused token.
 *
 * @internal
 */
export function requireDuration(prop: string, value: Duration, rule: DurationRule): number {
  if (!value || typeof (value as any).toSeconds !== 'function' || typeof (value as any).isUnresolved !== 'function') {
    throw new TrainyardValidationError(prop, `must be a Duration (for example ${DURATION_FACTORY[rule.unit]}(${Math.max(rule.min, 1)})), got ${describe(value)}.`);
  }
  if (value.isUnresolved()) {
    if (rule.literalReason !== undefined) {
      throw new TrainyardValidationError(prop, `must be a literal Duration, not a token: ${rule.literalReason}.`);
    }
    return NaN;
  }
  // integral: false, so that a fraction or a NaN amount is judged here rather than refused by CDK.
  const amount = value.toSeconds({ integral: false }) / SECONDS_PER[rule.unit];
  const note = rule.maxNote ? ` (at most ${rule.maxNote})` : '';
  if (!Number.isFinite(amount) || !Number.isInteger(amount)) {
    throw new TrainyardValidationError(`${prop} (${rule.unit})`, `must be a whole number from ${rule.min} to ${rule.max}${note}, got ${amount}.`);
  }
  if (amount < rule.min || amount > rule.max) {
    throw new TrainyardValidationError(`${prop} (${rule.unit})`, `must be from ${rule.min} to ${rule.max}${note}, got ${amount}.`);
  }
  return amount;
}

/**
 * Checks that a Duration is a whole number of days within [min, max] and returns the days (NaN for
 * an unresolved Duration, which is judged at deploy time).
 *
 * @internal
 */
export function requireWholeDays(prop: string, value: Duration, min: number, max: number): number {
  return requireDuration(prop, value, { unit: 'days', min, max });
}

/**
 * Checks that a Duration is a whole number of seconds within [min, max] and returns the seconds
 * (NaN for an unresolved Duration, which is judged at deploy time).
 *
 * @internal
 */
export function requireWholeSeconds(prop: string, value: Duration, min: number, max: number): number {
  return requireDuration(prop, value, { unit: 'seconds', min, max });
}

/**
 * The shape of an email address the AWS services accept as a subscriber: one `@`, no whitespace, a
 * dot in the domain.
 */
const EMAIL_PATTERN = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/**
 * The one email-list check: `value` must be a list of distinct email addresses, at most `max` of
 * them. Tokens in the list pass (they are resolved at deploy time). Returns the list (empty when
 * undefined).
 *
 * @param maxNote what the maximum is, said in the message (for example `the AWS Budgets limit`)
 * @internal
 */
export function requireEmailList(prop: string, value: string[] | undefined, max: number = Number.MAX_SAFE_INTEGER, maxNote?: string): string[] {
  if (value === undefined) {
    return [];
  }
  const limit = max < Number.MAX_SAFE_INTEGER ? ` of at most ${max}${maxNote ? ` (${maxNote})` : ''}` : '';
  if (!Array.isArray(value)) {
    throw new TrainyardValidationError(prop, `must be a list${limit} of email addresses, got ${describe(value)}.`);
  }
  if (value.length > max) {
    throw new TrainyardValidationError(prop, `must be a list${limit} of email addresses, got ${value.length}.`);
  }
  const seen = new Set<string>();
  for (const email of value) {
    if (typeof email !== 'string' || (!Token.isUnresolved(email) && !EMAIL_PATTERN.test(email))) {
      throw new TrainyardValidationError(prop, `"${String(email)}" is not an email address (name@domain.tld).`);
    }
    if (seen.has(email)) {
      throw new TrainyardValidationError(prop, `"${email}" is listed twice; list each address once.`);
    }
    seen.add(email);
  }
  return [...value];
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (value === null || typeof value !== 'object') return String(value);
  return Array.isArray(value) ? 'an array' : 'an object';
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
