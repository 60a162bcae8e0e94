/**
 * The teams file of the `multi-team` template: one entry per ML team, read from JSON or YAML and
 * checked against the schema below. Every error names the file, the JSON path and the problem, as
 * one `TrainyardValidationError`, so `templates/main.ts` prints one line and exits non-zero:
 *
 *   templates/config/teams.yaml: /teams/2/name: must match ^[a-z][a-z0-9-]{1,30}$, got "Fraud_Team"
 *
 * Templates code, not library API.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { LineCounter, parseDocument } from 'yaml';
import { TrainyardValidationError } from '../../src/core/errors';
import { TEAM_NAME_RULE } from '../../src/core/team-name';

/** One team of the teams file. */
export interface TeamConfig {
  /** Lowercase letters, digits and hyphens; names the team's stack, prefixes and tags. */
  readonly name: string;
  /** The SageMaker training instance type, for example `ml.g5.2xlarge`. */
  readonly gpu: string;
  /** The most instances one training job may use (more than 1 = multi-node). */
  readonly maxInstanceCount: number;
  /** The team's monthly budget in USD. */
  readonly monthlyBudgetUsd: number;
  /** The cost center the team's resources are tagged with. */
  readonly costCenter: string;
  /** Who receives budget and utilization alerts. */
  readonly alarmEmails: string[];
  /** The team's guaranteed share of the capacity pool; required when the file has a `capacity` section. */
  readonly capacityShare?: TeamCapacityShareConfig;
}

/** One instance type and a count. */
export interface InstanceQuotaConfig {
  readonly instanceType: string;
  readonly maxInstances: number;
}

/** A team's share of the pool. */
export interface TeamCapacityShareConfig {
  readonly guaranteed: InstanceQuotaConfig[];
  /** RESERVE, LEND or LEND_AND_BORROW (the default). */
  readonly strategy?: string;
  readonly borrowLimitPercent?: number;
}

/** The shared pool of SageMaker training capacity (a TrainingCapacityPool in the platform stack). */
export interface CapacityConfig {
  /** The most instances of each type the teams' queued jobs run at once. */
  readonly instances: InstanceQuotaConfig[];
  /** How long a job may wait for capacity before it is terminated, in minutes (10 to 1440). */
  readonly maxRunnableWaitMinutes?: number;
}

/** The whole teams file. */
export interface TeamsConfig {
  /** Where the teams came from (the file as given, or `-c generatedTeams=N`). */
  readonly source: string;
  readonly teams: TeamConfig[];
  /** The capacity pool, when the file has a `capacity` section. */
  readonly capacity?: CapacityConfig;
}

/** The example file the template uses when neither `-c teams` nor `-c generatedTeams` is given. */
export const EXAMPLE_TEAMS_FILE = path.join(__dirname, 'teams.example.yaml');

/** The most teams one file or `generatedTeams` may declare. */
export const MAX_TEAMS = 500;

// ---- The schema (a small JSON-Schema subset, written in code) -----------------------------------

type Schema =
  | { type: 'object'; properties: Record<string, Schema>; required: string[] }
  | { type: 'array'; items: Schema; minItems?: number; maxItems?: number; uniqueItems?: boolean }
  | { type: 'string'; pattern?: RegExp; minLength?: number; maxLength?: number; description?: string }
  | { type: 'integer' | 'number'; minimum?: number; maximum?: number; exclusiveMinimum?: number };


const INSTANCE_QUOTA: Schema = {
  type: 'object',
  required: ['instanceType', 'maxInstances'],
  properties: {
    instanceType: { type: 'string', pattern: /^ml\.[a-z0-9]+\.[a-z0-9]+$/ },
    maxInstances: { type: 'integer', minimum: 1, maximum: 10_000 },
  },
};

/** The schema of a teams file. Unknown keys are errors (a typo must not be ignored silently). */
export const TEAMS_SCHEMA: Schema = {
  type: 'object',
  required: ['teams'],
  properties: {
    capacity: {
      type: 'object',
      required: ['instances'],
      properties: {
        instances: { type: 'array', minItems: 1, maxItems: 50, items: INSTANCE_QUOTA },
        maxRunnableWaitMinutes: { type: 'integer', minimum: 10, maximum: 1440 },
      },
    },
    teams: {
      type: 'array',
      minItems: 1,
      maxItems: MAX_TEAMS,
      items: {
        type: 'object',
        required: ['name', 'gpu', 'maxInstanceCount', 'monthlyBudgetUsd', 'costCenter', 'alarmEmails'],
        properties: {
          // The rule every construct applies to team names (2 to 32 characters).
          name: {
            type: 'string',
            pattern: TEAM_NAME_RULE.pattern,
            minLength: TEAM_NAME_RULE.minLength,
            maxLength: TEAM_NAME_RULE.maxLength,
            description: TEAM_NAME_RULE.description,
          },
          gpu: { type: 'string', pattern: /^ml\.[a-z0-9]+\.[a-z0-9]+$/ },
          maxInstanceCount: { type: 'integer', minimum: 1, maximum: 64 },
          monthlyBudgetUsd: { type: 'number', exclusiveMinimum: 0, maximum: 10_000_000 },
          costCenter: { type: 'string', pattern: /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$/ },
          alarmEmails: {
            type: 'array',
            minItems: 1,
            maxItems: 10,
            uniqueItems: true,
            items: { type: 'string', pattern: /^[^@\s]+@[^@\s]+\.[^@\s]+$/, maxLength: 254 },
          },
          capacityShare: {
            type: 'object',
            required: ['guaranteed'],
            properties: {
              guaranteed: { type: 'array', minItems: 1, maxItems: 5, items: INSTANCE_QUOTA },
              strategy: { type: 'string', pattern: /^(RESERVE|LEND|LEND_AND_BORROW)$/ },
              borrowLimitPercent: { type: 'integer', minimum: 0, maximum: 10_000 },
            },
          },
        },
      },
    },
  },
};

/** A JSON pointer segment (RFC 6901). */
function seg(key: string | number): string {
  return '/' + String(key).replace(/~/g, '~0').replace(/\//g, '~1');
}

function show(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 60 ? text.slice(0, 57) + '...' : text;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number' && Number.isInteger(value)) return 'integer';
  return typeof value;
}

/** The first problem of `value` against `schema`, as `[pointer, problem]`, or undefined when it conforms. */
export function checkSchema(value: unknown, schema: Schema, pointer = ''): [string, string] | undefined {
  const at = pointer || '/';
  switch (schema.type) {
    case 'object': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        return [at, `must be an object, got ${kindOf(value)}`];
      }
      const record = value as Record<string, unknown>;
      for (const key of schema.required) {
        if (!(key in record)) {
          return [at, `must have property "${key}"`];
        }
      }
      for (const key of Object.keys(record)) {
        if (!(key in schema.properties)) {
          return [pointer + seg(key), `unknown property; allowed: ${Object.keys(schema.properties).join(', ')}`];
        }
        const problem = checkSchema(record[key], schema.properties[key], pointer + seg(key));
        if (problem) return problem;
      }
      return undefined;
    }
    case 'array': {
      if (!Array.isArray(value)) {
        return [at, `must be a list, got ${kindOf(value)}`];
      }
      if (schema.minItems !== undefined && value.length < schema.minItems) {
        return [at, `must have at least ${schema.minItems} item(s), got ${value.length}`];
      }
      if (schema.maxItems !== undefined && value.length > schema.maxItems) {
        return [at, `must have at most ${schema.maxItems} items, got ${value.length}`];
      }
      for (let i = 0; i < value.length; i++) {
        const problem = checkSchema(value[i], schema.items, pointer + seg(i));
        if (problem) return problem;
        if (schema.uniqueItems && value.indexOf(value[i]) !== i) {
          return [pointer + seg(i), `must not repeat an earlier item, got ${show(value[i])} again`];
        }
      }
      return undefined;
    }
    case 'string': {
      if (typeof value !== 'string') {
        return [at, `must be a string, got ${kindOf(value)} ${show(value)}`];
      }
      if (schema.maxLength !== undefined && value.length > schema.maxLength) {
        return [at, `must be at most ${schema.maxLength} characters, got ${value.length}`];
      }
      if (schema.minLength !== undefined && value.length < schema.minLength) {
        return [at, `must be at least ${schema.minLength} characters, got ${value.length}`];
      }
      if (schema.pattern && !schema.pattern.test(value)) {
        return [at, `must ${schema.description ? `be ${schema.description}` : `match ${schema.pattern.source}`}, got ${show(value)}`];
      }
      return undefined;
    }
    case 'integer':
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value) || (schema.type === 'integer' && !Number.isInteger(value))) {
        return [at, `must be ${schema.type === 'integer' ? 'a whole number' : 'a number'}, got ${kindOf(value)} ${show(value)}`];
      }
      if (schema.minimum !== undefined && value < schema.minimum) {
        return [at, `must be at least ${schema.minimum}, got ${value}`];
      }
      if (schema.exclusiveMinimum !== undefined && value <= schema.exclusiveMinimum) {
        return [at, `must be greater than ${schema.exclusiveMinimum}, got ${value}`];
      }
      if (schema.maximum !== undefined && value > schema.maximum) {
        return [at, `must be at most ${schema.maximum}, got ${value}`];
      }
      return undefined;
    }
  }
}

/**
 * Parses and checks a teams file's text. `file` names it in errors. JSON for `.json`, YAML for
 * `.yaml` and `.yml`.
 */
export function parseTeamsConfig(text: string, file: string): TeamsConfig {
  const ext = path.extname(file).toLowerCase();
  let data: unknown;
  if (ext === '.json') {
    try {
      data = JSON.parse(text);
    } catch (e) {
      throw new TrainyardValidationError(file, `is not valid JSON: ${(e as Error).message.split('\n')[0]}`);
    }
  } else if (ext === '.yaml' || ext === '.yml') {
    // uniqueKeys (the default) makes a repeated key an error instead of a silent overwrite.
    const lineCounter = new LineCounter();
    const doc = parseDocument(text, { prettyErrors: false, lineCounter });
    if (doc.errors.length > 0) {
      const error = doc.errors[0];
      const pos = lineCounter.linePos(error.pos[0]);
      const where = `line ${pos.line}, column ${pos.col}: `;
      throw new TrainyardValidationError(file, `is not valid YAML: ${where}${error.message.split('\n')[0]}`);
    }
    data = doc.toJS();
  } else {
    throw new TrainyardValidationError(file, `must end in .json, .yaml or .yml, got '${ext || 'no extension'}'`);
  }
  const problem = checkSchema(data, TEAMS_SCHEMA);
  if (problem) {
    throw new TrainyardValidationError(`${file}: ${problem[0]}`, problem[1]);
  }
  const teams = (data as { teams: TeamConfig[] }).teams;
  const seen = new Map<string, number>();
  teams.forEach((team, i) => {
    const first = seen.get(team.name);
    if (first !== undefined) {
      throw new TrainyardValidationError(`${file}: /teams/${i}/name`, `duplicate team name "${team.name}" (first at /teams/${first}/name); team names must be unique`);
    }
    seen.set(team.name, i);
  });
  const capacity = (data as { capacity?: CapacityConfig }).capacity;
  if (capacity) {
    checkCapacity(capacity, teams, file);
  } else {
    const i = teams.findIndex((t) => t.capacityShare !== undefined);
    if (i >= 0) {
      throw new TrainyardValidationError(`${file}: /teams/${i}/capacityShare`, 'needs a top-level capacity section (the pool the share belongs to)');
    }
  }
  return { source: file, teams, ...(capacity ? { capacity } : {}) };
}

/**
 * The pool's rules that need the whole file: each type once, a share for every team, each team's
 * types in the pool, and the guarantees of all teams per type within the pool.
 */
function checkCapacity(capacity: CapacityConfig, teams: TeamConfig[], file: string): void {
  const max = new Map<string, number>();
  capacity.instances.forEach((q, k) => {
    if (max.has(q.instanceType)) {
      throw new TrainyardValidationError(`${file}: /capacity/instances/${k}/instanceType`, `lists ${q.instanceType} twice; give each instance type once`);
    }
    max.set(q.instanceType, q.maxInstances);
  });
  if (teams.length > 20) {
    throw new TrainyardValidationError(`${file}: /teams`, `a capacity pool has at most 20 quota shares (an AWS Batch limit), got ${teams.length} teams`);
  }
  const sums = new Map<string, number>();
  teams.forEach((team, i) => {
    if (!team.capacityShare) {
      throw new TrainyardValidationError(`${file}: /teams/${i}`, 'must have property "capacityShare" (its guarantee in the capacity pool) when the file has a capacity section');
    }
    const share = team.capacityShare;
    if (share.borrowLimitPercent !== undefined && (share.strategy ?? 'LEND_AND_BORROW') !== 'LEND_AND_BORROW') {
      throw new TrainyardValidationError(`${file}: /teams/${i}/capacityShare/borrowLimitPercent`, `is allowed only with strategy LEND_AND_BORROW, got strategy ${share.strategy}`);
    }
    share.guaranteed.forEach((g, j) => {
      const limit = max.get(g.instanceType);
      if (limit === undefined) {
        throw new TrainyardValidationError(
          `${file}: /teams/${i}/capacityShare/guaranteed/${j}/instanceType`,
          `${g.instanceType} is not in /capacity/instances (it has ${[...max.keys()].join(', ')})`,
        );
      }
      sums.set(g.instanceType, (sums.get(g.instanceType) ?? 0) + g.maxInstances);
    });
  });
  capacity.instances.forEach((q, k) => {
    const sum = sums.get(q.instanceType) ?? 0;
    if (sum > q.maxInstances) {
      throw new TrainyardValidationError(
        `${file}: /capacity/instances/${k}/maxInstances`,
        `is ${q.maxInstances}, but the teams' guarantees for ${q.instanceType} add up to ${sum}; raise it or lower the guarantees`,
      );
    }
  });
}

/** Reads and checks the teams file at `file` (relative paths resolve against the working directory). */
export function loadTeamsFile(file: string): TeamsConfig {
  let text: string;
  try {
    text = fs.readFileSync(path.resolve(file), 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new TrainyardValidationError(file, code === 'ENOENT' ? 'file not found' : `cannot be read (${code ?? (e as Error).message})`);
  }
  return parseTeamsConfig(text, file);
}

/**
 * `count` synthetic teams, `team-001` to `team-<count>`, for the benchmark and the partition test.
 */
export function generatedTeams(count: number): TeamsConfig {
  const width = Math.max(3, String(count).length);
  const teams: TeamConfig[] = [];
  for (let i = 1; i <= count; i++) {
    const name = `team-${String(i).padStart(width, '0')}`;
    teams.push({
      name,
      gpu: 'ml.g5.2xlarge',
      maxInstanceCount: 2,
      monthlyBudgetUsd: 2000,
      costCenter: `CC-${String(i).padStart(width, '0')}`,
      alarmEmails: [`${name}@example.com`],
    });
  }
  return { source: `-c generatedTeams=${count}`, teams };
}

/**
 * The teams of the `multi-team` template, from the app's context:
 * `-c generatedTeams=N` (synthetic teams), else `-c teams=path/to/teams.{json,yaml,yml}`, else the
 * shipped example (templates/config/teams.example.yaml).
 */
export function teamsFromContext(app: App): TeamsConfig {
  const generated = app.node.tryGetContext('generatedTeams');
  const file = app.node.tryGetContext('teams');
  if (generated !== undefined && file !== undefined) {
    throw new TrainyardValidationError('-c generatedTeams', 'cannot be combined with -c teams: pass one of the two.');
  }
  if (generated !== undefined) {
    const text = String(generated).trim();
    const n = Number(text);
    if (!/^\d+$/.test(text) || n < 1 || n > MAX_TEAMS) {
      throw new TrainyardValidationError('-c generatedTeams', `must be a whole number from 1 to ${MAX_TEAMS}, got '${generated}'`);
    }
    return generatedTeams(n);
  }
  if (file !== undefined) {
    if (typeof file !== 'string' || file.trim() === '') {
      throw new TrainyardValidationError('-c teams', 'must be the path of a .json, .yaml or .yml teams file');
    }
    return loadTeamsFile(file);
  }
  return loadTeamsFile(path.relative(process.cwd(), EXAMPLE_TEAMS_FILE) || EXAMPLE_TEAMS_FILE);
}
