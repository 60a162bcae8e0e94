import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as fc from 'fast-check';
import {
  brokenDuration, email, expectAccepted, expectRefused, expectRefusedNaming, fewerParams, invalidTeamName, notAnEmail, notARemovalPolicy,
  notARetention, notASageMakerInstanceType, notATagValue, notAWholePositive, notFinite, params, sageMakerInstanceType, SEED, validTeamName,
} from './arbitraries';
import { GpuProfile } from '../../src/environment/gpu-profile';
import { TrainingEnvironment } from '../../src/environment/training-environment';
import { TrainingStudio } from '../../src/environment/training-studio';
import { PlatformAuditTrail } from '../../src/governance/platform-audit-trail';
import { TrainingGuardrails } from '../../src/governance/training-guardrails';
import { TrainyardTags } from '../../src/governance/trainyard-tags';
import { FlowMetrics } from '../../src/metrics/flow-metrics';
import { DriftMonitor } from '../../src/pipeline/drift-monitor';
import { MonitoringSchedule } from '../../src/pipeline/monitoring-schedule';
import { StandardTrainingRecipe } from '../../src/pipeline/standard-training-recipe';
import { MlPlatform } from '../../src/platform/ml-platform';
import { PlatformExperimentTrackingMode } from '../../src/platform/platform-experiment-tracking-mode';
import { describeFindings, newApp, synthWithCompliance } from '../helpers/synth';

/**
 * Property-based tests of the props of the constructs the other property files leave out:
 * TrainingStudio, FlowMetrics, DriftMonitor, StandardTrainingRecipe and the governance constructs.
 * Every invalid value is refused at synth by Trainyard's own error naming the prop (never a
 * TypeError or CDK's error); a few valid samples synthesize with no compliance finding.
 *
 *   TRAINYARD_PROPERTY_RUNS=2000 npx jest test/properties/remaining-constructs
 */

// One app and platform shared by the invalid-prop samples; each sample builds in a fresh stack and
// the app is never synthesized.
const app = newApp();
const platformStack = new Stack(app, 'Platform');
const platform = new MlPlatform(platformStack, 'Platform', { experimentTrackingMode: PlatformExperimentTrackingMode.NONE });
const team = new TrainingEnvironment(new Stack(app, 'Team'), 'Env', { platform, teamName: 'fraud', gpu: GpuProfile.G5_2XLARGE });
let n = 0;
const freshStack = () => new Stack(app, `S${n++}`);

/** The construct-building properties run fewer samples: each builds resources until it throws. */
const built = fewerParams(4, 10);

describe('TrainingStudio', () => {
  const studio = (props: Record<string, unknown>) => () => new TrainingStudio(freshStack(), 'Studio', { platform, ...props } as any);

  test('teamName: empty, overlong, or with characters SageMaker and IAM names reject', () => {
    fc.assert(fc.property(invalidTeamName, (teamName) => expectRefused(studio({ teamName }), 'TrainingStudio.teamName')), params);
  });

  test('domainName: empty, over 63 characters, or not letters, digits and inner hyphens', () => {
    const invalid = fc.oneof(
      fc.constantFrom('', '-studio', 'studio-', 'my_studio', 'my studio', 'studio.dev', 'x'.repeat(64)),
      fc.string({ minLength: 1, maxLength: 70 }).filter((s) => !/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/.test(s)),
    );
    fc.assert(fc.property(invalid, (domainName) => expectRefused(studio({ domainName }), 'TrainingStudio.domainName')), params);
  });

  test('idleTimeout and maxIdleTimeout: under an hour, over a year, not whole minutes, or not a Duration', () => {
    const invalid = fc.oneof(
      brokenDuration,
      fc.integer({ min: 0, max: 59 }).map((m) => Duration.minutes(m)),
      fc.integer({ min: 525_601, max: 10_000_000 }).map((m) => Duration.minutes(m)),
      fc.integer({ min: 3600, max: 100_000 }).filter((s) => s % 60 !== 0).map((s) => Duration.seconds(s)),
    );
    fc.assert(fc.property(invalid, fc.boolean(), (value, max) => {
      const prop = max ? 'maxIdleTimeout' : 'idleTimeout';
      expectRefusedNaming(studio({ [prop]: value }), `TrainingStudio.${prop}`);
    }), params);
  });

  test('maxIdleTimeout below idleTimeout', () => {
    const pair = fc.tuple(fc.integer({ min: 60, max: 525_599 }), fc.integer({ min: 1, max: 10_000 }))
      .map(([max, more]) => [max, Math.min(max + more, 525_600)]);
    fc.assert(fc.property(pair, ([max, idle]) =>
      expectRefused(studio({ idleTimeout: Duration.minutes(idle), maxIdleTimeout: Duration.minutes(max) }), 'TrainingStudio.maxIdleTimeout')), built);
  });

  test('removalPolicy: anything but a RemovalPolicy', () => {
    fc.assert(fc.property(notARemovalPolicy, (removalPolicy) => expectRefused(studio({ removalPolicy }), 'TrainingStudio.removalPolicy')), built);
  });

  test('valid samples synthesize with no compliance finding', () => {
    const valid = fc.record({
      teamName: fc.option(validTeamName, { nil: undefined }),
      idle: fc.integer({ min: 60, max: 24 * 60 }),
      extra: fc.integer({ min: 0, max: 7 * 24 * 60 }),
      removalPolicy: fc.constantFrom(RemovalPolicy.RETAIN, RemovalPolicy.DESTROY),
    });
    fc.assert(fc.property(valid, ({ teamName, idle, extra, removalPolicy }) => {
      let stack!: Stack;
      const result = synthWithCompliance((a) => {
        const p = new MlPlatform(new Stack(a, 'Platform'), 'Platform', { experimentTrackingMode: PlatformExperimentTrackingMode.NONE });
        stack = new Stack(a, 'Studio');
        new TrainingStudio(stack, 'Studio', {
          platform: p, teamName, idleTimeout: Duration.minutes(idle), maxIdleTimeout: Duration.minutes(idle + extra), removalPolicy,
        });
      });
      expect(describeFindings(result.report)).toEqual([]);
      result.template(stack).hasResourceProperties('AWS::SageMaker::Domain', {
        DomainName: teamName ? `trainyard-${teamName}` : 'trainyard-studio',
      });
    }), { numRuns: 2, seed: SEED });
  });
});

describe('FlowMetrics', () => {
  const flow = (props: Record<string, unknown>) => () => new FlowMetrics(freshStack(), 'Flow', { platform, teamNames: ['fraud'], ...props } as any);

  test('teamNames: a list with an invalid name', () => {
    const invalid = fc.tuple(fc.array(validTeamName, { maxLength: 3 }), invalidTeamName).map(([ok, bad]) => [...ok, bad]);
    fc.assert(fc.property(invalid, (teamNames) => expectRefused(flow({ teamNames }), 'FlowMetrics.teamNames')), params);
  });

  test('teamNames: an empty list and no environments', () => {
    expectRefused(flow({ teamNames: [] }), 'FlowMetrics.environments');
    expectRefused(flow({ teamNames: undefined }), 'FlowMetrics.environments');
  });

  test('teamNames: a team listed twice is measured once', () => {
    fc.assert(fc.property(fc.uniqueArray(validTeamName, { minLength: 1, maxLength: 4 }), (teams) => {
      const metrics = new FlowMetrics(freshStack(), 'Flow', { platform, teamNames: [...teams, ...teams] });
      expect(metrics.teamNames).toEqual(teams);
    }), { numRuns: 3, seed: SEED });
  });

  test('scrapRateThresholdPercent: 0, negatives, above 100, NaN and Infinity', () => {
    const invalid = fc.oneof(
      notFinite, fc.constantFrom(0, -0, 100.0001), fc.double({ max: 0, noNaN: true }), fc.double({ min: 100.000001, noNaN: true }),
    );
    fc.assert(fc.property(invalid, (scrapRateThresholdPercent) =>
      expectRefused(flow({ scrapRateThresholdPercent }), 'FlowMetrics.scrapRateThresholdPercent')), params);
  });

  test('cycleTimeP90Threshold: zero, NaN, Infinity, or not a Duration', () => {
    const invalid = fc.oneof(
      fc.constantFrom(Duration.hours(0), Duration.seconds(0), Duration.hours(NaN), Duration.hours(Infinity), Duration.days(Infinity)),
      fc.constantFrom<unknown>(48, '48h', {}) as fc.Arbitrary<any>);
    fc.assert(fc.property(invalid, (cycleTimeP90Threshold) =>
      expectRefusedNaming(flow({ cycleTimeP90Threshold }), 'FlowMetrics.cycleTimeP90Threshold')), params);
  });

  test('deduplicationTtl: under an hour, over five years, fractions of a second, or not a Duration', () => {
    const invalid = fc.oneof(
      brokenDuration,
      fc.integer({ min: 0, max: 3599 }).map((s) => Duration.seconds(s)),
      fc.integer({ min: 5 * 365 + 1, max: 100_000 }).map((d) => Duration.days(d)),
    );
    fc.assert(fc.property(invalid, (deduplicationTtl) => expectRefusedNaming(flow({ deduplicationTtl }), 'FlowMetrics.deduplicationTtl')), params);
  });

  test('reservedConcurrency: 0, negatives, fractions, NaN, Infinity and over 1000', () => {
    const invalid = fc.oneof(notAWholePositive, fc.integer({ min: 1001, max: 1_000_000 }));
    fc.assert(fc.property(invalid, (reservedConcurrency) => expectRefused(flow({ reservedConcurrency }), 'FlowMetrics.reservedConcurrency')), params);
  });

  test('pricesPerInstanceHour: negative or non-finite prices', () => {
    const invalid = fc.oneof(notFinite, fc.double({ max: -Number.MIN_VALUE, noNaN: true }));
    fc.assert(fc.property(sageMakerInstanceType, invalid, (type, price) =>
      expectRefused(flow({ pricesPerInstanceHour: { [type]: price } }), 'FlowMetrics.pricesPerInstanceHour')), params);
  });

  test('alarmEmails: a list with something that is not an email address', () => {
    const invalid = fc.tuple(fc.array(email, { maxLength: 2 }), notAnEmail).map(([ok, bad]) => [...new Set(ok), bad]);
    fc.assert(fc.property(invalid, (alarmEmails) => expectRefused(flow({ alarmEmails }), 'FlowMetrics.alarmEmails')), built);
  });

  test('alarmEmails: an address listed twice', () => {
    fc.assert(fc.property(email, (address) => expectRefused(flow({ alarmEmails: [address, address] }), 'FlowMetrics.alarmEmails')), built);
  });

  test('logRetention: numbers that are not a logs.RetentionDays', () => {
    fc.assert(fc.property(notARetention, (logRetention) => expectRefused(flow({ logRetention }), 'FlowMetrics.logRetention')), built);
  });

  test('removalPolicy: anything but a RemovalPolicy', () => {
    fc.assert(fc.property(notARemovalPolicy, (removalPolicy) => expectRefused(flow({ removalPolicy }), 'FlowMetrics.removalPolicy')), built);
  });

  test('valid samples synthesize with no compliance finding', () => {
    const valid = fc.record({
      teamNames: fc.uniqueArray(validTeamName, { minLength: 1, maxLength: 3 }),
      scrap: fc.double({ min: 0.5, max: 100, noNaN: true }),
      cycleHours: fc.integer({ min: 1, max: 24 * 14 }),
      ttlDays: fc.integer({ min: 1, max: 5 * 365 }),
      alarmEmails: fc.uniqueArray(email, { maxLength: 2 }),
      logRetention: fc.constantFrom(logs.RetentionDays.ONE_YEAR, logs.RetentionDays.TWO_YEARS, logs.RetentionDays.FIVE_YEARS),
    });
    fc.assert(fc.property(valid, (v) => {
      const result = synthWithCompliance((a) => {
        const p = new MlPlatform(new Stack(a, 'Platform'), 'Platform', { experimentTrackingMode: PlatformExperimentTrackingMode.NONE });
        new FlowMetrics(new Stack(a, 'Flow'), 'Flow', {
          platform: p,
          teamNames: v.teamNames,
          scrapRateThresholdPercent: v.scrap,
          cycleTimeP90Threshold: Duration.hours(v.cycleHours),
          deduplicationTtl: Duration.days(v.ttlDays),
          alarmEmails: v.alarmEmails,
          logRetention: v.logRetention,
        });
      });
      expect(describeFindings(result.report)).toEqual([]);
    }), { numRuns: 2, seed: SEED });
  });
});

describe('DriftMonitor', () => {
  const monitor = (props: Record<string, unknown>) => () =>
    new DriftMonitor(freshStack(), 'Drift', { environment: team, endpointName: 'fraud-scoring', features: ['amount'], ...props } as any);
  const feature = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,30}$/);

  test('environment: missing', () => {
    expectRefused(monitor({ environment: undefined }), 'DriftMonitor.environment');
  });

  test('endpointName: empty, over 63 characters, or not letters, digits and inner hyphens', () => {
    const invalid = fc.oneof(
      fc.constantFrom('', '-scoring', 'scoring-', 'fraud_scoring', 'fraud scoring', 'x'.repeat(64)),
      fc.string({ minLength: 1, maxLength: 70 }).filter((s) => !/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/.test(s)),
    );
    fc.assert(fc.property(invalid, (endpointName) => expectRefused(monitor({ endpointName }), 'DriftMonitor.endpointName')), params);
  });

  test('features: none, more than 10, a name CloudWatch or Model Monitor cannot use, or a feature listed twice', () => {
    const invalid = fc.oneof(
      fc.constant([]),
      fc.uniqueArray(feature, { minLength: 11, maxLength: 20 }),
      fc.tuple(fc.uniqueArray(feature, { maxLength: 4 }), fc.constantFrom<unknown>('', ' ', 'a'.repeat(300), 'amount\n', 'naïve', 'tab\there', 42, null, undefined))
        .map(([ok, bad]) => [...ok, bad]),
      fc.tuple(fc.uniqueArray(feature, { maxLength: 3 }), feature).map(([ok, twice]) => [twice, ...ok.filter((f) => f !== twice), twice]),
    );
    fc.assert(fc.property(invalid, (features) => expectRefused(monitor({ features }), 'DriftMonitor.features')), params);
  });

  test('driftThreshold: 0, negatives, above 1, NaN, Infinity, or not a number', () => {
    const invalid = fc.oneof(notFinite, fc.constantFrom<unknown>(0, -0, 1.0001, '0.5', {}), fc.double({ max: 0, noNaN: true }), fc.double({ min: 1.000001, noNaN: true }));
    fc.assert(fc.property(invalid, (driftThreshold) => expectRefused(monitor({ driftThreshold }), 'DriftMonitor.driftThreshold')), params);
  });

  test('schedule: a string, or anything else that is not a MonitoringSchedule', () => {
    const invalid = fc.oneof(
      fc.constantFrom<unknown>('cron(0 * ? * * *)', 'rate(1 hour)', 42, {}, { expressionString: 'cron(0 12 * * ? *)' }, { expressionString: 'NOW' }),
      fc.string({ maxLength: 30 }),
    );
    fc.assert(fc.property(invalid, (schedule) => expectRefused(monitor({ schedule }), 'DriftMonitor.schedule')), params);
  });

  test('MonitoringSchedule.daily and every: hours outside the day, intervals that are not 1 to 24 whole hours', () => {
    const badHour = fc.oneof(fc.integer({ max: -1 }), fc.integer({ min: 24 }), fc.double({ min: 0.1, max: 22.9, noInteger: true }), notFinite);
    fc.assert(fc.property(badHour, (hour) => {
      expectRefusedNaming(() => MonitoringSchedule.daily(hour as number), 'MonitoringSchedule.daily(hourUtc)');
      expectRefusedNaming(() => MonitoringSchedule.every(Duration.hours(6), hour as number), 'MonitoringSchedule.every(startHourUtc)');
    }), params);
    const badInterval = fc.oneof(
      fc.integer({ min: 25, max: 1000 }).map((h) => Duration.hours(h)),
      fc.integer({ min: 1, max: 59 }).map((m) => Duration.minutes(m)),
      fc.integer({ min: 61, max: 24 * 60 - 1 }).filter((m) => m % 60 !== 0).map((m) => Duration.minutes(m)),
    );
    fc.assert(fc.property(badInterval, (interval) => expectRefusedNaming(() => MonitoringSchedule.every(interval), 'MonitoringSchedule.every(interval)')), params);
  });

  test('instanceType: not a SageMaker instance type', () => {
    fc.assert(fc.property(notASageMakerInstanceType, (instanceType) => expectRefused(monitor({ instanceType }), 'DriftMonitor.instanceType')), params);
  });

  test('valid samples synthesize with no compliance finding', () => {
    const valid = fc.record({
      endpointName: fc.stringMatching(/^[a-z][a-z0-9-]{0,40}[a-z0-9]$/).filter((s) => !s.includes('--')),
      features: fc.uniqueArray(feature, { minLength: 1, maxLength: 10 }),
      driftThreshold: fc.double({ min: 0.01, max: 1, noNaN: true }),
      instanceType: sageMakerInstanceType,
      schedule: fc.constantFrom(MonitoringSchedule.hourly(), MonitoringSchedule.daily(3), MonitoringSchedule.every(Duration.hours(6), 2)),
    });
    fc.assert(fc.property(valid, (v) => {
      const result = synthWithCompliance((a) => {
        const p = new MlPlatform(new Stack(a, 'Platform'), 'Platform', { experimentTrackingMode: PlatformExperimentTrackingMode.NONE });
        const stack = new Stack(a, 'Team');
        const env = new TrainingEnvironment(stack, 'Env', { platform: p, teamName: 'fraud', gpu: GpuProfile.G5_2XLARGE });
        new DriftMonitor(stack, 'Drift', { environment: env, ...v });
      });
      expect(describeFindings(result.report)).toEqual([]);
    }), { numRuns: 2, seed: SEED });
  });
});

describe('StandardTrainingRecipe.create', () => {
  const recipe = (props: Record<string, unknown>) => () => StandardTrainingRecipe.create({ environment: team, scope: freshStack(), ...props } as any);

  test('environment: missing', () => {
    expectRefused(() => StandardTrainingRecipe.create({} as any), 'StandardTrainingRecipe.environment');
    expectRefused(() => StandardTrainingRecipe.create(undefined as any), 'StandardTrainingRecipe.environment');
  });

  test('metricName: empty, or not letters, digits and _', () => {
    const invalid = fc.oneof(fc.constantFrom<unknown>('', 'val loss', 'f1-score', 'a.b', 42), fc.string({ maxLength: 20 }).filter((s) => !/^[A-Za-z0-9_]+$/.test(s)));
    fc.assert(fc.property(invalid, (metricName) => expectRefused(recipe({ metricName }), 'StandardTrainingRecipe.metricName')), params);
  });

  test('metricThreshold: NaN, Infinity, or not a number', () => {
    const invalid = fc.oneof(notFinite, fc.constantFrom<unknown>('0.8', {}, true));
    fc.assert(fc.property(invalid, (metricThreshold) => expectRefused(recipe({ metricThreshold }), 'StandardTrainingRecipe.metricThreshold')), params);
  });

  test('labelColumn: empty, blank, or with a comma, quote or line break a CSV header cannot hold', () => {
    const invalid = fc.oneof(fc.constantFrom<unknown>('', ' ', 'a,b', 'la"bel', 'label\n', 42), fc.string({ maxLength: 10 }).filter((s) => s.trim() === '' || /[,"\r\n]/.test(s)));
    fc.assert(fc.property(invalid, (labelColumn) => expectRefused(recipe({ labelColumn }), 'StandardTrainingRecipe.labelColumn')), built);
  });

  test('hyperParameters: a value that is not a string', () => {
    const invalid = fc.constantFrom<unknown>(10, 0.1, true, null, undefined, {}, ['a']);
    fc.assert(fc.property(invalid, (value) => expectRefused(recipe({ hyperParameters: { epochs: value } }), 'StandardTrainingRecipe.hyperParameters')), built);
  });

  test('processingInstanceType: not a SageMaker instance type', () => {
    fc.assert(fc.property(notASageMakerInstanceType, (processingInstanceType) =>
      expectRefused(recipe({ processingInstanceType }), 'StandardTrainingRecipe.processingInstanceType')), built);
  });

  test('modelPackageGroupName: empty, overlong, or breaking the SageMaker pattern', () => {
    const invalid = fc.oneof(fc.constantFrom('', '-group', 'group-', 'my_group', 'my group', 'x'.repeat(64)));
    fc.assert(fc.property(invalid, (modelPackageGroupName) =>
      expectRefused(recipe({ modelPackageGroupName }), 'StandardTrainingRecipe.modelPackageGroupName')), built);
  });

  test('valid samples build a definition that validates', () => {
    const valid = fc.record({
      metricName: fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,20}$/),
      metricThreshold: fc.double({ min: -1000, max: 1000, noNaN: true }),
      higherIsBetter: fc.boolean(),
      labelColumn: fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_ -]{0,20}$/),
      processingInstanceType: sageMakerInstanceType,
    });
    fc.assert(fc.property(valid, (v) => {
      const definition = StandardTrainingRecipe.create({ environment: team, scope: freshStack(), ...v });
      expect(definition.validate()).toEqual([]);
    }), { numRuns: 3, seed: SEED });
  });
});

describe('TrainyardTags.apply', () => {
  const tags = (values: Record<string, unknown>) => () => TrainyardTags.apply(freshStack(), { teamName: 'fraud', costCenter: 'cc-1234', ...values } as any);

  test('teamName and costCenter: missing, blank, not a string, or not a tag value', () => {
    const invalid = fc.oneof(notATagValue, fc.constantFrom<unknown>(undefined, null, '', '   ', 42));
    fc.assert(fc.property(fc.constantFrom('teamName', 'costCenter'), invalid, (prop, value) =>
      expectRefused(tags({ [prop]: value }), `TrainyardTagValues.${prop}`)), params);
  });

  test('stage: anything but a TrainyardStage (production, non-production)', () => {
    const invalid = fc.string({ maxLength: 20 }).filter((s) => !TrainyardTags.STAGES.includes(s));
    fc.assert(fc.property(invalid, (stage) => expectRefused(tags({ stage }), 'TrainyardTagValues.stage')), params);
  });

  test('project: not a tag value', () => {
    fc.assert(fc.property(notATagValue, (project) => expectRefused(tags({ project }), 'TrainyardTagValues.project')), params);
  });

  test('additionalTags: an aws: key, a bad key or value, or a key of a dedicated prop', () => {
    const dedicated = fc.constantFrom(TrainyardTags.TEAM_KEY, TrainyardTags.COST_CENTER_KEY, TrainyardTags.STAGE_KEY, TrainyardTags.PROJECT_KEY);
    const invalid = fc.oneof(
      fc.tuple(fc.constantFrom('aws:team', 'AWS:x', '', 'k'.repeat(129), 'a;b', 'a\nb'), fc.constant('v')),
      fc.tuple(fc.constantFrom('owner'), notATagValue),
      fc.tuple(dedicated, fc.constantFrom('fraud', 'whatever', 'production')),
    );
    fc.assert(fc.property(invalid, ([key, value]) => {
      expectRefused(tags({ additionalTags: { [key]: value } }), `TrainyardTagValues.additionalTags['${key}']`);
    }), params);
  });

  test('valid values are applied', () => {
    const value = fc.stringMatching(/^[A-Za-z0-9 _.:/=+@-]{1,40}$/).filter((s) => s.trim().length > 0);
    fc.assert(fc.property(value, value, fc.constantFrom(...TrainyardTags.STAGES), (teamTag, costCenter, stage) =>
      expectAccepted(tags({ teamName: teamTag, costCenter, stage }))), params);
  });
});

describe('TrainingGuardrails', () => {
  const guardrails = (props: Record<string, unknown>) => () => new TrainingGuardrails(freshStack(), 'Guardrails', { allowedInstanceTypes: ['ml.g5.*'], ...props } as any);

  test('allowedInstanceTypes: none, or an entry that is not an instance type or pattern', () => {
    const invalid = fc.oneof(
      fc.constant([]),
      fc.tuple(fc.array(sageMakerInstanceType, { maxLength: 2 }), fc.constantFrom<unknown>('', 'g5.2xlarge', '*', 'ml.', 'ML.G5.*', 'ml.g5.2xlarge ', 42, null)).map(([ok, bad]) => [...ok, bad]),
    );
    fc.assert(fc.property(invalid, (allowedInstanceTypes) => expectRefused(guardrails({ allowedInstanceTypes }), 'TrainingGuardrails.allowedInstanceTypes')), params);
  });

  test('requiredTags: not a list, or a key AWS refuses', () => {
    const invalid = fc.oneof(
      fc.constantFrom<unknown>('trainyard:team', 42, {}),
      fc.constantFrom<unknown>('', 'aws:team', 'k'.repeat(129), 'a;b', 42, null).map((bad) => ['trainyard:team', bad]),
    );
    fc.assert(fc.property(invalid, (requiredTags) => expectRefused(guardrails({ requiredTags }), 'TrainingGuardrails.requiredTags')), params);
  });

  test('managedPolicyName: empty, over 128 characters, or outside the IAM name characters', () => {
    const invalid = fc.oneof(fc.constantFrom('', 'x'.repeat(129), 'a b', 'a/b', 'a:b'), fc.string({ minLength: 1, maxLength: 20 }).filter((s) => !/^[\w+=,.@-]+$/.test(s)));
    fc.assert(fc.property(invalid, (managedPolicyName) => expectRefused(guardrails({ managedPolicyName }), 'TrainingGuardrails.managedPolicyName')), params);
  });

  test('serviceControlPolicy.targetIds: none, or an entry that is not a root, OU or account id', () => {
    const invalid = fc.oneof(
      fc.constant([]),
      fc.constantFrom<unknown>('', 'r-', 'ou-abcd', '12345678901', 'root', 123456789012, null).map((bad) => ['r-abcd', bad]),
    );
    fc.assert(fc.property(invalid, (targetIds) =>
      expectRefused(guardrails({ serviceControlPolicy: { targetIds } }), 'TrainingGuardrails.serviceControlPolicy.targetIds')), built);
  });

  test('valid samples synthesize with no compliance finding', () => {
    const valid = fc.record({
      allowedInstanceTypes: fc.uniqueArray(fc.constantFrom('ml.g5.*', 'ml.m5.large', 'ml.p4d.24xlarge', 'ml.c5.*'), { minLength: 1, maxLength: 3 }),
      requireNetworkIsolation: fc.boolean(),
      targetIds: fc.uniqueArray(fc.constantFrom('r-ab12', 'ou-ab12-abcdefgh', '123456789012'), { minLength: 1, maxLength: 2 }),
    });
    fc.assert(fc.property(valid, (v) => {
      const result = synthWithCompliance((a) => {
        new TrainingGuardrails(new Stack(a, 'Guardrails'), 'Guardrails', {
          allowedInstanceTypes: v.allowedInstanceTypes,
          requireNetworkIsolation: v.requireNetworkIsolation,
          serviceControlPolicy: { targetIds: v.targetIds },
        });
      });
      expect(describeFindings(result.report)).toEqual([]);
    }), { numRuns: 2, seed: SEED });
  });
});

describe('PlatformAuditTrail', () => {
  const trail = (props: Record<string, unknown>) => () => new PlatformAuditTrail(freshStack(), 'Audit', { platform, ...props } as any);

  test('objectLockRetention: under a day, over 100 years, not whole days, or not a Duration', () => {
    const invalid = fc.oneof(
      brokenDuration,
      fc.constant(Duration.days(0)),
      fc.integer({ min: 36_501, max: 1_000_000 }).map((d) => Duration.days(d)),
      fc.integer({ min: 1, max: 1000 }).map((h) => Duration.hours(h)).filter((d) => d.toHours() % 24 !== 0),
    );
    fc.assert(fc.property(invalid, (objectLockRetention) =>
      expectRefusedNaming(trail({ objectLockRetention }), 'PlatformAuditTrail.objectLockRetention')), params);
  });

  test('cloudWatchLogsRetention: numbers that are not a logs.RetentionDays', () => {
    fc.assert(fc.property(notARetention, (cloudWatchLogsRetention) =>
      expectRefused(trail({ cloudWatchLogsRetention }), 'PlatformAuditTrail.cloudWatchLogsRetention')), built);
  });

  test('removalPolicy: anything but a RemovalPolicy', () => {
    fc.assert(fc.property(notARemovalPolicy, (removalPolicy) => expectRefused(trail({ removalPolicy }), 'PlatformAuditTrail.removalPolicy')), built);
  });

  test('valid samples synthesize with no compliance finding', () => {
    const valid = fc.record({ days: fc.integer({ min: 1, max: 3650 }), multiRegion: fc.boolean() });
    fc.assert(fc.property(valid, ({ days, multiRegion }) => {
      const result = synthWithCompliance((a) => {
        const stack = new Stack(a, 'Audited');
        const p = new MlPlatform(stack, 'Platform', { experimentTrackingMode: PlatformExperimentTrackingMode.NONE });
        new PlatformAuditTrail(stack, 'Audit', { platform: p, objectLockRetention: Duration.days(days), multiRegion });
      });
      expect(describeFindings(result.report)).toEqual([]);
    }), { numRuns: 2, seed: SEED });
  });
});
