import { Duration, Lazy, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as fc from 'fast-check';
import { TrainyardValidationError } from '../../src/core/errors';
import { DurationUnit, requireDuration, requireEmailList, requireRemovalPolicy } from '../../src/core/validate';

const RUNS = Number(process.env.TRAINYARD_PROPERTY_RUNS ?? 200);
const SEED = Number(process.env.TRAINYARD_PROPERTY_SEED ?? 20261201);
const params = { numRuns: RUNS, seed: SEED };

const SECONDS: Record<DurationUnit, number> = { seconds: 1, minutes: 60, hours: 3600, days: 86400 };
const unit = fc.constantFrom<DurationUnit>('seconds', 'minutes', 'hours', 'days');
/** A rule: bounds in whole units, min <= max. */
const rule = fc.tuple(unit, fc.integer({ min: 0, max: 500 }), fc.integer({ min: 0, max: 500 }))
  .map(([u, a, b]) => ({ unit: u, min: Math.min(a, b), max: Math.max(a, b) }));

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('requireDuration', () => {
  test('returns the amount in the rule\'s unit for any whole amount within the bounds', () => {
    fc.assert(fc.property(rule, fc.double({ min: 0, max: 1, noNaN: true }), (r, at) => {
      const amount = Math.round(r.min + at * (r.max - r.min));
      expect(requireDuration('X.d', Duration.seconds(amount * SECONDS[r.unit]), r)).toBe(amount);
    }), params);
  });

  test('refuses any whole amount outside the bounds, naming the prop, its unit, the bounds and the value', () => {
    // Durations cannot be negative: below the bounds exists only when min > 0.
    const outside = rule.chain((r) => fc.tuple(fc.constant(r), r.min > 0
      ? fc.oneof(fc.integer({ min: r.max + 1, max: r.max + 100_000 }), fc.integer({ min: 0, max: r.min - 1 }))
      : fc.integer({ min: r.max + 1, max: r.max + 100_000 })));
    fc.assert(fc.property(outside, ([r, amount]) => {
      const error = thrown(() => requireDuration('X.d', Duration.seconds(amount * SECONDS[r.unit]), r));
      expect(error).toBeInstanceOf(TrainyardValidationError);
      expect((error as Error).message).toBe(`X.d (${r.unit}): must be from ${r.min} to ${r.max}, got ${amount}.`);
    }), params);
  });

  test('refuses fractions of the unit and non-finite amounts as not whole', () => {
    const notWhole = fc.tuple(fc.constantFrom<DurationUnit>('minutes', 'hours', 'days'), fc.integer({ min: 1, max: 10_000 }))
      .filter(([u, s]) => s % SECONDS[u] !== 0)
      .map(([u, s]) => [u, Duration.seconds(s)] as const);
    fc.assert(fc.property(notWhole, ([u, d]) => {
      expect(() => requireDuration('X.d', d, { unit: u, min: 0, max: 1e9 })).toThrow(new RegExp(`^X\\.d \\(${u}\\): must be a whole number from 0 to 1000000000`));
    }), params);
    for (const d of [Duration.seconds(NaN), Duration.hours(Infinity), Duration.millis(1500)]) {
      expect(() => requireDuration('X.d', d, { unit: 'seconds', min: 0, max: 10 })).toThrow(/^X\.d \(seconds\): must be a whole number from 0 to 10, got/);
    }
  });

  test('refuses what is not a Duration, with an example in the rule\'s unit', () => {
    for (const value of [48, '48h', {}, null, undefined, [Duration.hours(1)]]) {
      expect(() => requireDuration('X.d', value as any, { unit: 'hours', min: 2, max: 3 })).toThrow(/^X\.d: must be a Duration \(for example Duration\.hours\(2\)\)/);
    }
  });

  test('says what the maximum is when the rule names it', () => {
    expect(() => requireDuration('X.d', Duration.days(29), { unit: 'seconds', min: 1, max: 2419200, maxNote: '28 days, the SageMaker limit' }))
      .toThrow('X.d (seconds): must be from 1 to 2419200 (at most 28 days, the SageMaker limit), got 2505600.');
  });

  test('a token passes as NaN, unless the rule says why it must be literal', () => {
    const token = Duration.seconds(Lazy.number({ produce: () => 60 }));
    expect(requireDuration('X.d', token, { unit: 'seconds', min: 1, max: 100 })).toBeNaN();
    expect(() => requireDuration('X.d', token, { unit: 'seconds', min: 1, max: 100, literalReason: 'the threshold is set at synth' }))
      .toThrow('X.d: must be a literal Duration, not a token: the threshold is set at synth.');
  });
});

describe('requireEmailList', () => {
  const email = fc.emailAddress();

  test('returns any list of distinct addresses within the limit, undefined as empty', () => {
    fc.assert(fc.property(fc.uniqueArray(email, { maxLength: 10 }), (list) => {
      expect(requireEmailList('X.emails', list, 10)).toEqual(list);
    }), params);
    expect(requireEmailList('X.emails', undefined)).toEqual([]);
  });

  test('refuses a list with anything that is not an address, naming the prop and the entry', () => {
    const notAnEmail = fc.oneof(
      fc.constantFrom('', 'nobody', 'a@b', '@example.com', 'a@@example.com', 'a b@example.com', 'a@example .com'),
      fc.string({ maxLength: 20 }).filter((s) => !s.includes('@')),
    );
    const lists = fc.tuple(fc.uniqueArray(email, { maxLength: 3 }), notAnEmail, fc.nat(3)).map(([ok, bad, at]) => {
      const list = ok.filter((o) => o !== bad);
      list.splice(Math.min(at, list.length), 0, bad);
      return [list, bad] as const;
    });
    fc.assert(fc.property(lists, ([list, bad]) => {
      expect(() => requireEmailList('X.emails', list)).toThrow(`X.emails: "${bad}" is not an email address`);
    }), params);
    for (const bad of [42, null, undefined, {}]) {
      expect(() => requireEmailList('X.emails', [bad as any])).toThrow(/^X\.emails: ".*" is not an email address/);
    }
  });

  test('refuses an address listed twice', () => {
    fc.assert(fc.property(fc.uniqueArray(email, { minLength: 1, maxLength: 4 }), fc.nat(), (list, i) => {
      const twice = list[i % list.length];
      expect(() => requireEmailList('X.emails', [...list, twice])).toThrow(`X.emails: "${twice}" is listed twice; list each address once.`);
    }), params);
  });

  test('refuses more than the limit, saying what the limit is', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 1, max: 5 }), (max, extra) => {
      const list = Array.from({ length: max + extra }, (_, i) => `u${i}@example.com`);
      expect(() => requireEmailList('X.emails', list, max, 'the AWS Budgets limit'))
        .toThrow(`X.emails: must be a list of at most ${max} (the AWS Budgets limit) of email addresses, got ${max + extra}.`);
    }), params);
  });

  test('refuses what is not a list; a token entry passes (resolved at deploy)', () => {
    expect(() => requireEmailList('X.emails', 'ops@example.com' as any)).toThrow(/^X\.emails: must be a list of email addresses, got 'ops@example\.com'/);
    const token = Token.asString(Lazy.string({ produce: () => 'ops@example.com' }));
    expect(requireEmailList('X.emails', [token])).toEqual([token]);
  });
});

describe('requireRemovalPolicy', () => {
  test('returns every RemovalPolicy, and RETAIN (or the given fallback) for undefined', () => {
    for (const policy of Object.values(RemovalPolicy)) {
      expect(requireRemovalPolicy('X.removalPolicy', policy)).toBe(policy);
    }
    expect(requireRemovalPolicy('X.removalPolicy', undefined)).toBe(RemovalPolicy.RETAIN);
    expect(requireRemovalPolicy('X.removalPolicy', undefined, RemovalPolicy.DESTROY)).toBe(RemovalPolicy.DESTROY);
  });

  test('refuses anything else, naming the prop and the allowed values', () => {
    const notAPolicy = fc.oneof(fc.string(), fc.integer(), fc.constantFrom<unknown>({}, 'Retain')).filter((v) => !(Object.values(RemovalPolicy) as unknown[]).includes(v));
    fc.assert(fc.property(notAPolicy, (value) => {
      expect(() => requireRemovalPolicy('X.removalPolicy', value as any)).toThrow(/^X\.removalPolicy: must be a RemovalPolicy \(destroy, retain, snapshot, retain-on-update-or-delete\)/);
    }), params);
  });
});
