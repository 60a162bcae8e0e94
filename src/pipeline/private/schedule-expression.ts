import { Token } from 'aws-cdk-lib';

const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const AT = /^at\((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\)$/;
const CRON = /^cron\((.*)\)$/;

const CRON_FIELDS: Array<{ name: string; min: number; max: number; names?: string[] }> = [
  { name: 'minutes', min: 0, max: 59 },
  { name: 'hours', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] },
  { name: 'day-of-week', min: 1, max: 7, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] },
  { name: 'year', min: 1970, max: 2199 },
];

/**
 * Why an EventBridge Scheduler expression (`rate(...)`, `cron(...)`, `at(...)`) does not parse, or
 * undefined when it does. Tokens pass.
 */
export function scheduleExpressionProblem(expression: string): string | undefined {
  if (Token.isUnresolved(expression)) {
    return undefined;
  }
  const rate = RATE.exec(expression);
  if (rate) {
    const value = Number(rate[1]);
    if (value < 1) {
      return `rate must be at least 1, got ${value}`;
    }
    if ((value === 1) !== !rate[2].endsWith('s')) {
      return `use '${value} ${value === 1 ? rate[2].replace(/s$/, '') : rate[2] + 's'}'`;
    }
    return undefined;
  }
  if (AT.test(expression)) {
    return undefined;
  }
  const cron = CRON.exec(expression);
  if (!cron) {
    return 'must be rate(<n> <minute(s)|hour(s)|day(s)>), cron(<minutes> <hours> <day-of-month> <month> <day-of-week> <year>) or at(yyyy-mm-ddThh:mm:ss)';
  }
  const fields = cron[1].trim().split(/\s+/);
  if (fields.length !== 6) {
    return `cron needs 6 fields (minutes hours day-of-month month day-of-week year), got ${fields.length}`;
  }
  for (let i = 0; i < 6; i++) {
    const problem = cronFieldProblem(fields[i], CRON_FIELDS[i], i);
    if (problem) {
      return problem;
    }
  }
  if ((fields[2] === '?') === (fields[4] === '?')) {
    return "cron needs '?' in exactly one of day-of-month and day-of-week";
  }
  return undefined;
}

function cronFieldProblem(field: string, spec: { name: string; min: number; max: number; names?: string[] }, index: number): string | undefined {
  if (field === '*' || (field === '?' && (index === 2 || index === 4))) {
    return undefined;
  }
  if (index === 2 && /^(L|LW|\d{1,2}W)$/.test(field)) {
    return undefined;
  }
  if (index === 4 && /^([1-7]|[A-Z]{3})(L|#[1-5])$/.test(field)) {
    return undefined;
  }
  for (const part of field.split(',')) {
    const [range, step] = part.split('/');
    if (step !== undefined && !/^\d+$/.test(step)) {
      return `cron ${spec.name} field '${field}' has an invalid step '${step}'`;
    }
    const bounds = range === '*' ? [] : range.split('-');
    if (bounds.length > 2) {
      return `cron ${spec.name} field '${field}' does not parse`;
    }
    for (const bound of bounds) {
      const value = spec.names?.includes(bound.toUpperCase()) ? spec.min : Number(bound);
      if (!/^\d+$/.test(bound) && !spec.names?.includes(bound.toUpperCase())) {
        return `cron ${spec.name} field '${field}' does not parse`;
      }
      if (value < spec.min || value > spec.max) {
        return `cron ${spec.name} must be from ${spec.min} to ${spec.max}, got '${bound}'`;
      }
    }
  }
  return undefined;
}
