import { Lazy } from 'aws-cdk-lib';
import * as fc from 'fast-check';
import { TrainyardValidationError } from '../../src/core/errors';
import { TEAM_NAME_RULE, validateTeamName } from '../../src/core/team-name';

const RUNS = Number(process.env.TRAINYARD_PROPERTY_RUNS ?? 200);
const SEED = Number(process.env.TRAINYARD_PROPERTY_SEED ?? 20261128);

describe('validateTeamName', () => {
  test.each(['ml', 'fraud', 'search-ranking', 'team-a1', 'a'.repeat(32), `a${'-b'.repeat(15)}c`])('accepts %s', (name) => {
    expect(validateTeamName('X.teamName', name)).toBe(name);
  });

  test.each([
    ['empty', '', /X\.teamName: is required and must not be empty/],
    ['undefined', undefined, /X\.teamName: is required and must not be empty/],
    ['one character', 'a', /X\.teamName: must be 2 to 32 characters/],
    ['33 characters', 'a'.repeat(33), /X\.teamName: must be 2 to 32 characters/],
    ['a digit first', '1fraud', /X\.teamName: "1fraud" is not allowed/],
    ['a hyphen first', '-fraud', /X\.teamName: "-fraud" is not allowed/],
    ['a trailing hyphen', 'fraud-', /X\.teamName: "fraud-" is not allowed/],
    ['a double hyphen', 'fraud--ml', /X\.teamName: "fraud--ml" is not allowed/],
    ['uppercase', 'Fraud', /X\.teamName: "Fraud" is not allowed/],
    ['an underscore', 'fraud_ml', /X\.teamName: "fraud_ml" is not allowed/],
    ['a space', 'fraud ml', /X\.teamName: "fraud ml" is not allowed/],
    ['a token', Lazy.string({ produce: () => 'fraud' }), /X\.teamName: must be a literal string, not a token/],
    ['a number', 42, /X\.teamName: must be a string/],
  ])('refuses %s, naming the prop', (_case, value, message) => {
    expect(() => validateTeamName('X.teamName', value as any)).toThrow(TrainyardValidationError);
    expect(() => validateTeamName('X.teamName', value as any)).toThrow(message);
  });

  test('accepts exactly the names of the rule: a letter first, then letters, digits and single hyphens, 2 to 32 characters', () => {
    const reference = (s: string) => s.length >= 2 && s.length <= 32 && /^[a-z]/.test(s) && /[a-z0-9]$/.test(s)
      && /^[a-z0-9-]*$/.test(s) && !s.includes('--');
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom('a', 'z', '0', '9', '-', 'A', '_'), maxLength: 40 }), (s) => {
      expect(TEAM_NAME_RULE.pattern.test(s) && s.length >= TEAM_NAME_RULE.minLength && s.length <= TEAM_NAME_RULE.maxLength).toBe(reference(s));
    }), { numRuns: RUNS, seed: SEED });
  });
});
