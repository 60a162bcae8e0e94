import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as fc from 'fast-check';
import { expectAccepted, expectRefused, params } from './arbitraries';
import { FailStep } from '../../src/pipeline/definition/fail-step';
import { PipelineDefinition } from '../../src/pipeline/definition/pipeline-definition';
import { TrainingPipeline } from '../../src/pipeline/training-pipeline';
import { newApp } from '../helpers/synth';
import { platformAndTeam } from '../pipeline/fixtures';

/**
 * Property-based tests of `TrainingPipeline.triggerOnSchedule`: every EventBridge Scheduler
 * expression that does not parse (cron with the wrong number of fields or out-of-range fields, rate
 * of zero, negative, fractional or unknown units, at() of a date that does not exist) is refused at
 * synth with Trainyard's error naming the schedule argument; generated valid ones are accepted.
 */

const PROP = 'TrainingPipeline.triggerOnSchedule(schedule)';
const { teamStack, environment } = platformAndTeam(newApp());
let pipelines = 0;
/** A fresh pipeline per property, so accepted triggers do not pile up in one construct. */
const newPipeline = () => new TrainingPipeline(teamStack, `Pipeline${pipelines++}`, {
  environment, definition: new PipelineDefinition({ steps: [new FailStep({ name: 'Stop' })] }),
});
const expression = (e: string) => scheduler.ScheduleExpression.expression(e);

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/** A valid numeric cron field within [min, max]: a value, a range, a step, or a list of values. */
function numericField(min: number, max: number, names: string[] = []): fc.Arbitrary<string> {
  const value = fc.integer({ min, max });
  const named = names.length > 0 ? fc.oneof(value.map(String), fc.constantFrom(...names)) : value.map(String);
  return fc.oneof(
    fc.constant('*'),
    named,
    fc.tuple(value, value).map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`),
    fc.tuple(fc.oneof(fc.constant('*'), value.map(String)), fc.integer({ min: 1, max: max - min + 1 })).map(([start, step]) => `${start}/${step}`),
    fc.uniqueArray(value, { minLength: 2, maxLength: 4 }).map((vs) => vs.join(',')),
  );
}

const minutes = numericField(0, 59);
const hours = numericField(0, 23);
const dayOfMonth = fc.oneof(numericField(1, 31), fc.constantFrom('L', 'LW'), fc.integer({ min: 1, max: 31 }).map((d) => `${d}W`));
const month = numericField(1, 12, MONTHS);
const dayOfWeek = fc.oneof(
  numericField(1, 7, DAYS),
  fc.constant('L'),
  fc.tuple(fc.oneof(fc.integer({ min: 1, max: 7 }).map(String), fc.constantFrom(...DAYS)), fc.integer({ min: 1, max: 5 })).map(([d, k]) => `${d}#${k}`),
);
const year = numericField(1970, 2199);

/** The six fields of a valid cron expression: '?' in exactly one of day-of-month and day-of-week. */
const validCronFields = fc.tuple(minutes, hours, dayOfMonth, month, dayOfWeek, year, fc.boolean())
  .map(([mi, h, dom, mo, dow, y, questionInMonth]) => questionInMonth ? [mi, h, '?', mo, dow, y] : [mi, h, dom, mo, '?', y]);

const cron = (fields: string[]) => `cron(${fields.join(' ')})`;

/** Numbers outside [min, max], and tokens that are no number at all. */
function outOfRange(min: number, max: number): fc.Arbitrary<string> {
  return fc.oneof(
    fc.integer({ min: max + 1, max: max + 1000 }).map(String),
    ...(min > 0 ? [fc.integer({ min: 0, max: min - 1 }).map(String)] : []),
    fc.constantFrom('-1', 'NaN', 'Infinity', '1.5', 'abc', '', '#', '1-2-3', '1/2/3', '*/0', '1/0', '*/-1', '*/x'),
  );
}
const RANGES: Array<[number, number]> = [[0, 59], [0, 23], [1, 31], [1, 12], [1, 7], [1970, 2199]];

/** Valid cron fields with exactly one field broken. */
const invalidCron = fc.oneof(
  // Out-of-range or unparsable values in one field (day fields keep the '?' rule intact).
  fc.tuple(validCronFields, fc.integer({ min: 0, max: 5 })).chain(([fields, index]) => {
    // A day field holding '?' keeps it; the other day field is broken instead.
    const target = fields[index] === '?' ? (index === 2 ? 4 : 2) : index;
    const [min, max] = RANGES[target];
    return outOfRange(min, max).map((bad) => cron(fields.map((f, i) => (i === target ? bad : f))));
  }),
  // Wrong field counts.
  fc.tuple(validCronFields, fc.integer({ min: 0, max: 5 })).map(([fields, drop]) => cron(fields.filter((_, i) => i !== drop))),
  validCronFields.map((fields) => cron([...fields, '*'])),
  fc.constantFrom('cron()', 'cron(* * * * *)', 'cron(0 3 ? * MON * * *)'),
  // '?' in both or neither of the day fields.
  validCronFields.map((fields) => cron([fields[0], fields[1], '?', fields[3], '?', fields[5]])),
  fc.tuple(validCronFields, fc.integer({ min: 1, max: 28 })).map(([fields, d]) => cron([fields[0], fields[1], String(d), fields[3], 'MON', fields[5]])),
  // Special day forms out of range.
  fc.tuple(validCronFields, fc.constantFrom('0W', '32W', '99W', 'W', 'LL', 'L-')).map(([f, dom]) => cron([f[0], f[1], dom, f[3], '?', f[5]])),
  fc.tuple(validCronFields, fc.constantFrom('MON#0', 'MON#6', 'XYZ#2', '8#1', '0#1', 'ABCL', '9L', '#2', 'MON#')).map(([f, dow]) => cron([f[0], f[1], '?', f[3], dow, f[5]])),
);

const UNITS = ['minute', 'hour', 'day'];
const validRate = fc.oneof(
  fc.constantFrom(...UNITS).map((u) => `rate(1 ${u})`),
  fc.tuple(fc.integer({ min: 2, max: 1_000_000 }), fc.constantFrom(...UNITS)).map(([v, u]) => `rate(${v} ${u}s)`),
);
const invalidRate = fc.oneof(
  fc.constantFrom(...UNITS, ...UNITS.map((u) => `${u}s`)).map((u) => `rate(0 ${u})`),
  fc.tuple(fc.integer({ min: -1_000_000, max: -1 }), fc.constantFrom(...UNITS)).map(([v, u]) => `rate(${v} ${u}s)`),
  fc.tuple(fc.constantFrom('NaN', 'Infinity', '1.5', '0.5', '1e3', '', ' ', 'x', '+5'), fc.constantFrom(...UNITS)).map(([v, u]) => `rate(${v} ${u}s)`),
  fc.tuple(fc.integer({ min: 1, max: 1000 }), fc.constantFrom('second', 'seconds', 'week', 'weeks', 'month', 'months', 'Minutes', 'HOURS', 'd', 'h', '')).map(([v, u]) => `rate(${v} ${u})`),
  fc.constantFrom(...UNITS).map((u) => `rate(1 ${u}s)`),
  fc.tuple(fc.integer({ min: 2, max: 1000 }), fc.constantFrom(...UNITS)).map(([v, u]) => `rate(${v} ${u})`),
  fc.constantFrom('rate()', 'rate(5)', 'rate(5  minutes)', 'rate( 5 minutes)', 'rate(5 minutes', 'Rate(5 minutes)', 'every 5 minutes', ''),
);

const pad = (v: number, width = 2) => String(v).padStart(width, '0');
const at = ([y, mo, d, h, mi, s]: number[]) => `at(${pad(y, 4)}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}:${pad(s)})`;
const daysIn = (y: number, mo: number) => { const last = new Date(0); last.setUTCFullYear(y, mo, 0); return last.getUTCDate(); };
const validAtFields = fc.record({
  y: fc.integer({ min: 1970, max: 2199 }),
  mo: fc.integer({ min: 1, max: 12 }),
  d: fc.integer({ min: 1, max: 31 }),
  h: fc.integer({ min: 0, max: 23 }),
  mi: fc.integer({ min: 0, max: 59 }),
  s: fc.integer({ min: 0, max: 59 }),
}).map(({ y, mo, d, h, mi, s }) => [y, mo, Math.min(d, daysIn(y, mo)), h, mi, s]);
const invalidAt = fc.tuple(validAtFields, fc.integer({ min: 1, max: 5 }), fc.nat(99)).map(([fields, index, n]) => {
  const broken = [...fields];
  switch (index) {
    case 1: broken[1] = n % 2 === 0 ? 0 : 13 + (n % 87); break;
    case 2: broken[2] = n % 2 === 0 ? 0 : daysIn(fields[0], fields[1]) + 1 + (n % (99 - daysIn(fields[0], fields[1]))); break;
    case 3: broken[3] = 24 + (n % 76); break;
    case 4: broken[4] = 60 + (n % 40); break;
    default: broken[5] = 60 + (n % 40); break;
  }
  return at(broken);
});

describe('schedule expressions that do not parse are refused, naming the schedule argument', () => {
  const pipeline = newPipeline();
  test('cron: wrong field counts, out-of-range or unparsable fields, steps of 0, ? in both or neither day field', () => {
    fc.assert(fc.property(invalidCron, (e) => expectRefused(() => pipeline.triggerOnSchedule(expression(e)), PROP)), params);
  });

  test('rate: 0, negative, NaN, fractional, unknown units, singular/plural mismatches, malformed', () => {
    fc.assert(fc.property(invalidRate, (e) => expectRefused(() => pipeline.triggerOnSchedule(expression(e)), PROP)), params);
  });

  test('at: months, days, hours, minutes and seconds that do not exist (30 February included)', () => {
    fc.assert(fc.property(invalidAt, (e) => expectRefused(() => pipeline.triggerOnSchedule(expression(e)), PROP)), params);
  });

  test('anything that is not rate(), cron() or at()', () => {
    const other = fc.string({ maxLength: 30 }).filter((s) => !/^(rate|cron|at)\(/.test(s));
    fc.assert(fc.property(other, (e) => expectRefused(() => pipeline.triggerOnSchedule(expression(e)), PROP)), params);
  });

  test('no schedule trigger was created by a refused expression', () => {
    expect(pipeline.node.children.filter((c) => c.node.id.startsWith('ScheduleTrigger'))).toEqual([]);
  });
});

describe('schedule expressions that parse are accepted', () => {
  test('cron: values, ranges, steps, lists, names, L, W and #', () => {
    const pipeline = newPipeline();
    fc.assert(fc.property(validCronFields, (fields) => expectAccepted(() => pipeline.triggerOnSchedule(expression(cron(fields))))), params);
  });

  test('rate: 1 minute/hour/day, and any larger whole number of minutes/hours/days', () => {
    const pipeline = newPipeline();
    fc.assert(fc.property(validRate, (e) => expectAccepted(() => pipeline.triggerOnSchedule(expression(e)))), params);
  });

  test('at: every real date and time from 1970 to 2199 (29 February of leap years included)', () => {
    const pipeline = newPipeline();
    fc.assert(fc.property(validAtFields, (fields) => expectAccepted(() => pipeline.triggerOnSchedule(expression(at(fields))))), params);
    expectAccepted(() => pipeline.triggerOnSchedule(expression('at(2028-02-29T23:59:59)')));
    expectRefused(() => pipeline.triggerOnSchedule(expression('at(2027-02-29T00:00:00)')), PROP);
  });
});
