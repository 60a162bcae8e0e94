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
  const at = AT.exec(expression);
  if (at) {
    return atProblem(at.slice(1).map(Number));
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
  // Day-of-month: the last day (L), the last weekday (LW), the weekday nearest a day (15W).
  if (index === 2 && /^(L|LW)$/.test(field)) {
    return undefined;
  }
  const weekday = index === 2 ? /^(\d{1,2})W$/.exec(field) : null;
  if (weekday) {
    const day = Number(weekday[1]);
    return day >= spec.min && day <= spec.max ? undefined : `cron ${spec.name} must be from ${spec.min} to ${spec.max}, got '${weekday[1]}' in '${field}'`;
  }
  // Day-of-week: the last day of the week (L), the last given day of the month (5L, FRIL), the nth given day (MON#2).
  if (index === 4 && field === 'L') {
    return undefined;
  }
  const nth = index === 4 ? /^(\d+|[A-Za-z]+)(L|#\d+)$/.exec(field) : null;
  if (nth) {
    const day = nth[1];
    if (!(/^[1-7]$/.test(day) || spec.names!.includes(day.toUpperCase()))) {
      return `cron ${spec.name} field '${field}' names no day of the week (1-7 or ${spec.names!.join(', ')})`;
    }
    if (nth[2].startsWith('#') && !/^#[1-5]$/.test(nth[2])) {
      return `cron ${spec.name} field '${field}' must ask for occurrence #1 to #5`;
    }
    return undefined;
  }
  for (const part of field.split(',')) {
    const pieces = part.split('/');
    if (pieces.length > 2) {
      return `cron ${spec.name} field '${field}' does not parse`;
    }
    const [range, step] = pieces;
    if (step !== undefined && (!/^\d+$/.test(step) || Number(step) < 1)) {
      return `cron ${spec.name} field '${field}' has an invalid step '${step}' (a whole number of at least 1)`;
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

/** Why the fields of `at(yyyy-mm-ddThh:mm:ss)` are not a real date and time, or undefined. */
function atProblem([year, month, day, hour, minute, second]: number[]): string | undefined {
  if (month < 1 || month > 12) {
    return `at month must be from 01 to 12, got ${month}`;
  }
  const last = new Date(0);
  last.setUTCFullYear(year, month, 0); // day 0 of the next month: the last day of this one
  const days = last.getUTCDate();
  if (day < 1 || day > days) {
    return `at day must be from 01 to ${days} in ${year}-${String(month).padStart(2, '0')}, got ${day}`;
  }
  if (hour > 23) {
    return `at hour must be from 00 to 23, got ${hour}`;
  }
  if (minute > 59 || second > 59) {
    return `at minutes and seconds must be from 00 to 59, got ${minute}:${second}`;
  }
  return undefined;
}
