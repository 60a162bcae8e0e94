import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { TrainyardValidationError } from '../../src/core/errors';
import { EXAMPLE_TEAMS_FILE, generatedTeams, loadTeamsFile, parseTeamsConfig, teamsFromContext } from '../../templates/config/teams-config';
import { newApp } from '../helpers/synth';

const VALID_TEAM = { name: 'fraud', gpu: 'ml.g5.2xlarge', maxInstanceCount: 2, monthlyBudgetUsd: 100, costCenter: 'CC-1', alarmEmails: ['a@example.com'] };

function errorOf(fn: () => unknown): TrainyardValidationError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(TrainyardValidationError);
    return e as TrainyardValidationError;
  }
  throw new Error('expected a TrainyardValidationError, nothing was thrown');
}

describe('teams config', () => {
  test('GIVEN the shipped example WHEN loaded THEN it holds three valid teams', () => {
    const config = loadTeamsFile(EXAMPLE_TEAMS_FILE);
    expect(config.teams.map((t) => t.name)).toEqual(['fraud', 'search-ranking', 'forecasting']);
    expect(config.teams[1]).toEqual({
      name: 'search-ranking',
      gpu: 'ml.p4d.24xlarge',
      maxInstanceCount: 2,
      monthlyBudgetUsd: 40000,
      costCenter: 'CC-2040',
      alarmEmails: ['ranking-leads@example.com', 'ml-platform@example.com'],
      capacityShare: { guaranteed: [{ instanceType: 'ml.p4d.24xlarge', maxInstances: 2 }], strategy: 'RESERVE' },
    });
    expect(config.capacity?.instances.map((q) => q.instanceType)).toEqual(['ml.g5.2xlarge', 'ml.p4d.24xlarge', 'ml.g6.xlarge']);
  });

  const share = (instanceType: string, maxInstances: number, extra: Record<string, unknown> = {}) =>
    ({ guaranteed: [{ instanceType, maxInstances }], ...extra });
  const withPool = (teams: unknown[], instances = [{ instanceType: 'ml.g5.2xlarge', maxInstances: 4 }]) =>
    JSON.stringify({ capacity: { instances }, teams });
  test.each([
    ['a team without a share', withPool([VALID_TEAM]), 'teams.json: /teams/0: must have property "capacityShare"'],
    ['a share of a type the pool lacks', withPool([{ ...VALID_TEAM, capacityShare: share('ml.p5.48xlarge', 1) }]),
      'teams.json: /teams/0/capacityShare/guaranteed/0/instanceType: ml.p5.48xlarge is not in /capacity/instances'],
    ['guarantees above the pool', withPool([{ ...VALID_TEAM, capacityShare: share('ml.g5.2xlarge', 3) }, { ...VALID_TEAM, name: 'vision', capacityShare: share('ml.g5.2xlarge', 2) }]),
      'teams.json: /capacity/instances/0/maxInstances: is 4, but the teams\' guarantees for ml.g5.2xlarge add up to 5'],
    ['a borrow limit without LEND_AND_BORROW', withPool([{ ...VALID_TEAM, capacityShare: share('ml.g5.2xlarge', 1, { strategy: 'LEND', borrowLimitPercent: 50 }) }]),
      'teams.json: /teams/0/capacityShare/borrowLimitPercent: is allowed only with strategy LEND_AND_BORROW'],
    ['an unknown strategy', withPool([{ ...VALID_TEAM, capacityShare: share('ml.g5.2xlarge', 1, { strategy: 'SHARE' }) }]), 'teams.json: /teams/0/capacityShare/strategy: must match'],
    ['a share without a pool', JSON.stringify({ teams: [{ ...VALID_TEAM, capacityShare: share('ml.g5.2xlarge', 1) }] }),
      'teams.json: /teams/0/capacityShare: needs a top-level capacity section'],
    ['a type listed twice in the pool', withPool([{ ...VALID_TEAM, capacityShare: share('ml.g5.2xlarge', 1) }], [
      { instanceType: 'ml.g5.2xlarge', maxInstances: 1 }, { instanceType: 'ml.g5.2xlarge', maxInstances: 2 },
    ]), 'teams.json: /capacity/instances/1/instanceType: lists ml.g5.2xlarge twice'],
  ])('GIVEN a capacity section with %s THEN the error names the file and JSON path', (_case, json, expected) => {
    expect(errorOf(() => parseTeamsConfig(json, 'teams.json')).message).toContain(expected);
  });

  test('GIVEN no -c teams WHEN read from context THEN the example is used', () => {
    expect(teamsFromContext(newApp()).teams).toHaveLength(3);
  });

  test('GIVEN a bad team name in YAML THEN the error names the file, the JSON path, the rule and the value', () => {
    const yaml = 'teams:\n' + [VALID_TEAM, { ...VALID_TEAM, name: 'b-team' }, { ...VALID_TEAM, name: 'Fraud_Team' }]
      .map((t) => `  - ${JSON.stringify(t)}`).join('\n');
    const e = errorOf(() => parseTeamsConfig(yaml, 'teams.yaml'));
    expect(e.message).toMatch(/^teams\.yaml: \/teams\/2\/name: must be lowercase letters, digits and single hyphens, starting with a letter .*, got "Fraud_Team"$/);
  });

  test('GIVEN two teams with one name THEN the error names both positions', () => {
    const json = JSON.stringify({ teams: [VALID_TEAM, { ...VALID_TEAM, costCenter: 'CC-2' }] });
    expect(errorOf(() => parseTeamsConfig(json, 'teams.json')).message).toBe(
      'teams.json: /teams/1/name: duplicate team name "fraud" (first at /teams/0/name); team names must be unique',
    );
  });

  test.each([
    ['a missing property', { ...VALID_TEAM, costCenter: undefined }, '/teams/0: must have property "costCenter"'],
    ['an unknown property', { ...VALID_TEAM, budget: 5 }, '/teams/0/budget: unknown property; allowed: name, gpu,'],
    ['a fractional instance count', { ...VALID_TEAM, maxInstanceCount: 1.5 }, '/teams/0/maxInstanceCount: must be a whole number, got number 1.5'],
    ['a zero budget', { ...VALID_TEAM, monthlyBudgetUsd: 0 }, '/teams/0/monthlyBudgetUsd: must be greater than 0, got 0'],
    ['a bad e-mail', { ...VALID_TEAM, alarmEmails: ['nobody'] }, '/teams/0/alarmEmails/0: must match'],
    ['a string budget', { ...VALID_TEAM, monthlyBudgetUsd: '100' }, '/teams/0/monthlyBudgetUsd: must be a number, got string "100"'],
  ])('GIVEN %s THEN the error names the JSON path and the problem', (_case, team, expected) => {
    const json = JSON.stringify({ teams: [team] });
    expect(errorOf(() => parseTeamsConfig(json, 'teams.json')).message).toContain(`teams.json: ${expected}`);
  });

  test('GIVEN an empty list THEN the error says at least one team', () => {
    expect(errorOf(() => parseTeamsConfig('teams: []', 't.yml')).message).toBe('t.yml: /teams: must have at least 1 item(s), got 0');
  });

  test('GIVEN malformed YAML or JSON THEN the error names the file and says which syntax', () => {
    expect(errorOf(() => parseTeamsConfig('teams:\n  - name: [a\n', 'bad.yaml')).message).toMatch(/^bad\.yaml: is not valid YAML: line \d+, column \d+: /);
    expect(errorOf(() => parseTeamsConfig('{"teams": [', 'bad.json')).message).toMatch(/^bad\.json: is not valid JSON: /);
    expect(errorOf(() => parseTeamsConfig('teams: 1\nteams: 2\n', 'dup.yaml')).message).toMatch(/^dup\.yaml: is not valid YAML: .*unique/i);
  });

  test('GIVEN a missing file or a wrong extension THEN the error names the file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'teams-'));
    expect(errorOf(() => loadTeamsFile(path.join(dir, 'nope.yaml'))).message).toBe(`${path.join(dir, 'nope.yaml')}: file not found`);
    fs.writeFileSync(path.join(dir, 'teams.txt'), 'teams: []');
    expect(errorOf(() => loadTeamsFile(path.join(dir, 'teams.txt'))).message).toMatch(/teams\.txt: must end in \.json, \.yaml or \.yml, got '\.txt'$/);
  });

  test('GIVEN -c generatedTeams=N THEN N valid, uniquely named teams come out; bad N is rejected', () => {
    const config = teamsFromContext(newApp({ generatedTeams: '12' }));
    expect(config.teams).toHaveLength(12);
    expect(config.teams[0].name).toBe('team-001');
    expect(config.teams[11].name).toBe('team-012');
    // The generated teams pass the same schema as a file would.
    expect(() => parseTeamsConfig(JSON.stringify({ teams: generatedTeams(100).teams }), 'gen.json')).not.toThrow();
    expect(errorOf(() => teamsFromContext(newApp({ generatedTeams: 'ten' }))).message).toBe("-c generatedTeams: must be a whole number from 1 to 500, got 'ten'");
    expect(errorOf(() => teamsFromContext(newApp({ generatedTeams: 2, teams: 'x.yaml' }))).message).toMatch(/^-c generatedTeams: cannot be combined with -c teams/);
  });
});
