import { Stack } from 'aws-cdk-lib';
import * as fc from 'fast-check';
import { expectRefused, invalidTeamName, notAWholePositive, params, RUNS, SEED, thrown, validTeamName } from './arbitraries';
import { TrainyardValidationError } from '../../src/core/errors';
import { GpuProfile } from '../../src/environment/gpu-profile';
import { TrainingEnvironment } from '../../src/environment/training-environment';
import { MlPlatform } from '../../src/platform/ml-platform';
import { ModelRegistry } from '../../src/registry/model-registry';
import { describeFindings, newApp, synthWithCompliance } from '../helpers/synth';

/**
 * Property-based tests of props: every invalid value is refused at synth by Trainyard's own error,
 * naming the prop (never a TypeError or a deploy-time failure), and valid values synthesize and pass
 * every compliance pack.
 *
 * CI runs a fixed seed and a modest number of samples (see ./arbitraries). For a long local run:
 *   TRAINYARD_PROPERTY_RUNS=2000 npx jest test/properties
 */

// One platform shared by the invalid-prop samples (each sample adds one environment to a fresh stack).
const app = newApp();
const platform = new MlPlatform(new Stack(app, 'Platform'), 'Platform');
let n = 0;
const environment = (props: Record<string, unknown>) =>
  new TrainingEnvironment(new Stack(app, `Team${n++}`), 'Env', { platform, teamName: 'fraud', gpu: GpuProfile.G5_2XLARGE, ...props } as any);

describe('invalid props are refused at synth, naming the prop', () => {
  test('TrainingEnvironment.teamName: empty, overlong, or with characters SageMaker and IAM names reject', () => {
    const invalid = fc.oneof(invalidTeamName, fc.constant('1fraud'), fc.stringMatching(/^[0-9][a-z0-9]{0,8}$/));
    fc.assert(fc.property(invalid, (teamName) => expectRefused(() => environment({ teamName }), 'TrainingEnvironment.teamName')), params);
  });

  test('TrainingEnvironment.maxInstanceCount: 0, negatives, fractions, NaN and Infinity', () => {
    fc.assert(fc.property(notAWholePositive, (maxInstanceCount) =>
      expectRefused(() => environment({ maxInstanceCount }), 'TrainingEnvironment.maxInstanceCount')), params);
  });

  test('TrainingEnvironment.monthlyBudgetUsd: negatives, NaN and Infinity', () => {
    const invalid = fc.oneof(fc.constantFrom(-1, NaN, Infinity, -Infinity), fc.double({ max: -0.01, noNaN: true }));
    fc.assert(fc.property(invalid, (monthlyBudgetUsd) =>
      expectRefused(() => environment({ monthlyBudgetUsd }), 'TrainingEnvironment.monthlyBudgetUsd')), params);
  });

  test('GpuProfile.of: unknown instance types', () => {
    const known = new Set(GpuProfile.all().map((p) => p.instanceType));
    const unknown = fc.oneof(fc.string(), fc.stringMatching(/^ml\.[a-z0-9]{1,6}\.[a-z0-9]{1,10}$/)).filter((s) => !known.has(s.trim().toLowerCase()));
    fc.assert(fc.property(unknown, (instanceType) => {
      const error = thrown(() => GpuProfile.of(instanceType));
      expect(error).toBeInstanceOf(TrainyardValidationError);
    }), params);
  });

  test('MlPlatform.maxAzs: anything but 1 or 2 on an environment-agnostic stack', () => {
    const invalid = fc.oneof(notAWholePositive, fc.integer({ min: 3, max: 100 }));
    fc.assert(fc.property(invalid, (maxAzs) =>
      expectRefused(() => new MlPlatform(new Stack(app, `P${n++}`), 'Platform', { maxAzs }), 'MlPlatform.maxAzs')), params);
  });

  test('ModelRegistry.groupName: empty, overlong, or breaking the SageMaker pattern', () => {
    const invalid = fc.oneof(
      fc.constant(''),
      fc.string({ minLength: 64, maxLength: 100 }).map((s) => `a${s.replace(/[^a-z0-9]/g, 'x')}`),
      fc.string({ minLength: 1, maxLength: 30 }).filter((s) => /[^a-zA-Z0-9-]/.test(s) || s.startsWith('-') || s.endsWith('-')),
    );
    fc.assert(fc.property(invalid, (groupName) =>
      expectRefused(() => new ModelRegistry(new Stack(app, `R${n++}`), 'Models', { groupName }), 'ModelRegistry.groupName')), params);
  });
});

describe('valid props synthesize with zero unacknowledged findings', () => {
  // Synthesizing with every pack takes about a second, so fewer samples here; all in one app.
  const samples = fc.sample(fc.record({
    teamName: validTeamName,
    gpu: fc.constantFrom(...GpuProfile.all()),
    maxInstanceCount: fc.integer({ min: 1, max: 8 }),
    monthlyBudgetUsd: fc.option(fc.integer({ min: 1, max: 1_000_000 }), { nil: undefined }),
    useSpot: fc.boolean(),
  }), { numRuns: Math.max(4, Math.floor(RUNS / 12)), seed: SEED });
  const unique = samples.filter((s, i) => samples.findIndex((t) => t.teamName === s.teamName) === i);

  const result = synthWithCompliance((a) => {
    const shared = new MlPlatform(new Stack(a, 'Platform'), 'Platform');
    unique.forEach((props, i) => new TrainingEnvironment(new Stack(a, `Team${i}`), 'Env', { platform: shared, ...props }));
  });

  test(`${unique.length} generated team environments (GPU profiles, instance counts, budgets, spot on and off)`, () => {
    expect(unique.length).toBeGreaterThan(3);
    expect(describeFindings(result.report)).toEqual([]);
  });

  test('team names at the length limit are accepted', () => {
    const longest = 'a' + 'b'.repeat(30) + 'c';
    expect(longest).toHaveLength(32);
    expect(() => environment({ teamName: longest })).not.toThrow();
  });
});
