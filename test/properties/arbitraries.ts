import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as fc from 'fast-check';
import { TrainyardValidationError } from '../../src/core/errors';

/**
 * What the property test files share: the run settings (fixed seed in CI, env vars for long runs),
 * the refusal assertions and the generators of values several constructs must refuse or accept.
 *
 *   TRAINYARD_PROPERTY_RUNS=2000 TRAINYARD_PROPERTY_SEED=7 npx jest test/properties
 */
export const RUNS = Number(process.env.TRAINYARD_PROPERTY_RUNS ?? 100);
export const SEED = Number(process.env.TRAINYARD_PROPERTY_SEED ?? 20261128);

/** fast-check parameters of the cheap properties (no synth). */
export const params = { numRuns: RUNS, seed: SEED };

/**
 * fast-check parameters of properties that build a whole construct per sample: a fraction of the
 * runs, at least `min`.
 */
export function fewerParams(divisor: number, min = 5): { numRuns: number; seed: number } {
  return { numRuns: Math.max(min, Math.floor(RUNS / divisor)), seed: SEED };
}

/** Runs `make` and returns the error it threw, or undefined. */
export function thrown(make: () => unknown): unknown {
  try {
    make();
    return undefined;
  } catch (e) {
    return e;
  }
}

/** Asserts `make` throws TrainyardValidationError whose message starts with `prop`. */
export function expectRefused(make: () => unknown, prop: string): void {
  const error = thrown(make);
  if (!(error instanceof TrainyardValidationError)) {
    // Shows the offending error (a TypeError, a CDK error) or the missing throw in the counterexample.
    throw new Error(`expected a TrainyardValidationError naming ${prop}, got ${error === undefined ? 'no error' : String((error as Error)?.stack ?? error)}`);
  }
  if (!error.message.startsWith(`${prop}:`)) {
    throw new Error(`expected the message to start with '${prop}:', got '${error.message}'`);
  }
}

/** Asserts `make` does not throw (and shows the error in the counterexample when it does). */
export function expectAccepted(make: () => unknown): void {
  const error = thrown(make);
  if (error !== undefined) {
    throw new Error(`expected no error, got ${String((error as Error)?.message ?? error)}`);
  }
}

/** Numbers no count, budget or zone count accepts. */
export const notAWholePositive = fc.oneof(
  fc.constantFrom(0, -1, NaN, Infinity, -Infinity, 0.5),
  fc.integer({ min: -1_000_000, max: 0 }),
  fc.double({ noNaN: false }).filter((x) => !Number.isInteger(x) || x <= 0),
);

/** Valid team names: a letter, then letters, digits and single hyphens, ending in a letter or digit, 2 to 32 characters. */
export const validTeamName = fc.stringMatching(/^[a-z](?:-?[a-z0-9]){1,15}$/).filter((s) => s.length <= 32);

/** Team names every construct that takes a team refuses: empty, overlong, or with characters SageMaker and IAM names reject. */
export const invalidTeamName = fc.oneof(
  fc.constant(''),
  fc.string({ minLength: 33, maxLength: 80 }).map((s) => `a${s.replace(/[^a-z0-9]/g, 'x')}`),
  fc.string({ minLength: 1, maxLength: 20 }).filter((s) => /[^a-z0-9-]/.test(s)),
  fc.constantFrom('-fraud', 'fraud-', 'fr--aud', 'Fraud', 'fraud team', 'fraud_team', 'fraud\n'),
);

/** A valid 12-digit AWS account id. */
export const accountId = fc.stringMatching(/^\d{12}$/);

/** Entries no list of AWS account ids accepts: not exactly 12 digits. */
export const notAnAccountId = fc.oneof(
  fc.constantFrom('', '12345678901', '1234567890123', '12345678901a', ' 123456789012', '123456789012 ', '1234-5678-9012', 'arn:aws:iam::123456789012:root'),
  fc.stringMatching(/^\d{1,11}$/),
  fc.stringMatching(/^\d{13,20}$/),
  fc.string({ minLength: 1, maxLength: 16 }).filter((s) => !/^\d{12}$/.test(s)),
);

/** Lists of account ids with at least one invalid entry, or one account listed twice. */
export const invalidAccountList = fc.oneof(
  fc.tuple(fc.array(accountId, { maxLength: 3 }), notAnAccountId, fc.array(accountId, { maxLength: 3 })).map(([a, bad, b]) => [...a, bad, ...b]),
  fc.tuple(fc.array(accountId, { maxLength: 3 }), accountId).map(([others, twice]) => [twice, ...others.filter((o) => o !== twice), twice]),
);

/** Valid lists of distinct account ids (possibly empty). */
export const validAccountList = fc.uniqueArray(accountId, { maxLength: 4 });

/**
 * Asserts `make` throws TrainyardValidationError naming `prop`: the message starts with `<prop>:` or,
 * for props checked in a unit, `<prop> (<unit>):` (for example `TrainingStudio.idleTimeout (minutes):`).
 */
export function expectRefusedNaming(make: () => unknown, prop: string): void {
  const error = thrown(make);
  if (!(error instanceof TrainyardValidationError)) {
    throw new Error(`expected a TrainyardValidationError naming ${prop}, got ${error === undefined ? 'no error' : String((error as Error)?.stack ?? error)}`);
  }
  const rest = error.message.startsWith(prop) ? error.message.slice(prop.length) : undefined;
  if (rest === undefined || !/^(?: \([^)]+\))?:/.test(rest)) {
    throw new Error(`expected the message to start with '${prop}:' or '${prop} (<unit>):', got '${error.message}'`);
  }
}

/** Numbers no threshold, percentage or distance accepts: not finite. */
export const notFinite = fc.constantFrom(NaN, Infinity, -Infinity);

/**
 * Durations no duration prop accepts whatever its range: NaN or infinite amounts, fractions of a
 * second, and values that are not a Duration at all (a number, a string, an object).
 */
export const brokenDuration: fc.Arbitrary<Duration> = fc.oneof(
  fc.constantFrom(Duration.minutes(NaN), Duration.hours(Infinity), Duration.days(NaN), Duration.seconds(Infinity)),
  fc.integer({ min: 1, max: 10_000_000 }).filter((ms) => ms % 1000 !== 0).map((ms) => Duration.millis(ms)),
  fc.constantFrom<unknown>(48, '48h', {}, 'PT1H') as fc.Arbitrary<any>,
);

/** Values no `removalPolicy` prop accepts: strings and numbers that are not a RemovalPolicy. */
export const notARemovalPolicy: fc.Arbitrary<RemovalPolicy> = fc.oneof(
  fc.constantFrom<unknown>('', 'delete', 'Retain', 'DESTROY', 'keep', 0, 1),
  fc.string({ maxLength: 12 }).filter((s) => !(Object.values(RemovalPolicy) as string[]).includes(s)),
) as fc.Arbitrary<any>;

/** Numbers no `logs.RetentionDays` prop accepts. */
export const notARetention: fc.Arbitrary<logs.RetentionDays> = fc.oneof(
  fc.constantFrom(0, -1, 2, 4, 7.5, NaN, Infinity, 10_000),
  fc.integer({ min: -1000, max: 100_000 }).filter((d) => !(Object.values(logs.RetentionDays) as number[]).includes(d)),
) as fc.Arbitrary<any>;

/** A valid SageMaker instance type. */
export const sageMakerInstanceType = fc.constantFrom('ml.m5.large', 'ml.m5.xlarge', 'ml.c5.2xlarge', 'ml.g5.2xlarge', 'ml.t3.medium');

/** Instance types no SageMaker instance-type prop accepts. */
export const notASageMakerInstanceType = fc.oneof(
  fc.constantFrom('', 'm5.large', 'ml.m5', 'ML.M5.LARGE', 'ml.m5.large ', ' ml.m5.large', 'ml..large', 'ml.m5.large.x', 'ec2:m5.large'),
  fc.string({ maxLength: 20 }).filter((s) => !/^ml\.[a-z0-9-]+\.[a-z0-9]+$/.test(s)),
);

/** Strings that are not an email address: no `@`, no domain dot, or with whitespace. */
export const notAnEmail = fc.oneof(
  fc.constantFrom('', 'ops', 'ops@', '@example.com', 'ops@example', 'ops team@example.com', 'ops@exa mple.com', 'ops@@example.com'),
  fc.string({ maxLength: 20 }).filter((s) => !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(s)),
);

/** A valid email address. */
export const email = fc.tuple(fc.stringMatching(/^[a-z][a-z0-9.]{0,10}$/), fc.stringMatching(/^[a-z]{1,10}$/), fc.constantFrom('com', 'dev', 'org'))
  .map(([user, domain, tld]) => `${user}@${domain}.${tld}`);

/** Strings AWS refuses as a tag value: over 256 characters or with characters outside the tag rule. */
export const notATagValue = fc.oneof(
  fc.constantFrom('a'.repeat(257), 'cost;center', 'team\tname', 'a\nb', 'x#1', 'ü'.repeat(257), '$', 'a,b', '"quoted"'),
  fc.string({ minLength: 1, maxLength: 20 }).filter((s) => !/^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u.test(s)),
);
