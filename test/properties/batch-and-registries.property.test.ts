import { Duration, Size, Stack } from 'aws-cdk-lib';
import * as fc from 'fast-check';
import {
  expectAccepted, expectRefused, fewerParams, invalidAccountList, invalidTeamName, notAWholePositive, params, SEED,
  validAccountList, validTeamName,
} from './arbitraries';
import { GpuBatchCompute } from '../../src/environment/gpu-batch-compute';
import { GpuProfile } from '../../src/environment/gpu-profile';
import { MlPlatform } from '../../src/platform/ml-platform';
import { PlatformExperimentTrackingMode } from '../../src/platform/platform-experiment-tracking-mode';
import { ExperimentTracking, TrackingServerSize } from '../../src/registry/experiment-tracking';
import { ImageRegistry } from '../../src/registry/image-registry';
import { ModelRegistry } from '../../src/registry/model-registry';
import { describeFindings, newApp, synthWithCompliance } from '../helpers/synth';

/**
 * Property-based tests of the props of GpuBatchCompute, ModelRegistry, ImageRegistry and
 * ExperimentTracking: invalid values are refused at synth with Trainyard's error naming the prop,
 * valid ones are accepted, and a few generated valid samples pass every compliance pack.
 */

// One platform shared by the samples (each sample builds in a fresh stack).
const app = newApp();
const platform = new MlPlatform(new Stack(app, 'Platform'), 'Platform', { batchCompute: true });
let n = 0;
const batch = (props: Record<string, unknown>) => () =>
  new GpuBatchCompute(new Stack(app, `Batch${n++}`), 'Batch', { platform, teamName: 'vision', gpu: GpuProfile.G5_2XLARGE, ...props } as any);
const models = (props: Record<string, unknown>) => () => new ModelRegistry(new Stack(app, `Models${n++}`), 'Models', { groupName: 'fraud-models', ...props } as any);
const images = (props: Record<string, unknown>) => () => new ImageRegistry(new Stack(app, `Images${n++}`), 'Images', props as any);
const tracking = (props: Record<string, unknown>) => () =>
  new ExperimentTracking(new Stack(app, `Tracking${n++}`), 'Tracking', { artifactsBucket: platform.artifactsBucket, ...props } as any);

const NVIDIA = GpuProfile.all().filter((p) => p.isNvidiaGpu);
const MULTI_NODE = NVIDIA.filter((p) => p.multiNodeSupported);

/** Durations that are not a whole number of seconds in [min, max]. */
const badSeconds = (min: number, max: number) => fc.oneof(
  fc.constantFrom(Duration.seconds(NaN), Duration.seconds(Infinity), Duration.millis(60_500)),
  fc.integer({ min: 0, max: min - 1 }).map((s) => Duration.seconds(s)),
  fc.integer({ min: max + 1, max: max * 4 }).map((s) => Duration.seconds(s)),
  fc.integer({ min: 60_001, max: 10_000_000 }).filter((ms) => ms % 1000 !== 0).map((ms) => Duration.millis(ms)),
);

/** Strings with a character no AWS tag value allows, or empty, or over 256 characters. */
const badTagValue = fc.oneof(
  fc.constantFrom('', 'a*b', 'cc#1', 'x'.repeat(257), 'line\nbreak', 'tab\t', 'semi;colon', 'quote"'),
  fc.string({ minLength: 1, maxLength: 20 }).filter((s) => !/^[\p{L}\p{N}\p{Z}_.:/=+@-]+$/u.test(s)),
);

describe('GpuBatchCompute refuses invalid props, naming the prop', () => {
  test('maxvCpus: 0, negatives, fractions, NaN, Infinity, fewer than one instance, over 100,000', () => {
    const invalid = fc.oneof(notAWholePositive, fc.integer({ min: 1, max: 7 }), fc.integer({ min: 100_001, max: 10_000_000 }));
    fc.assert(fc.property(invalid, (maxvCpus) => expectRefused(batch({ maxvCpus }), 'GpuBatchCompute.maxvCpus')), params);
  });

  test('maxInstanceCount and retryAttempts: 0, negatives, fractions, NaN, Infinity, over the limit', () => {
    const badCount = fc.oneof(notAWholePositive, fc.integer({ min: 1001, max: 100_000 }));
    const badAttempts = fc.oneof(notAWholePositive, fc.integer({ min: 11, max: 1000 }));
    fc.assert(fc.property(badCount, badAttempts,
      (maxInstanceCount, retryAttempts) => {
        expectRefused(batch({ maxInstanceCount }), 'GpuBatchCompute.maxInstanceCount');
        expectRefused(batch({ retryAttempts }), 'GpuBatchCompute.retryAttempts');
      }), params);
  });

  test('maxInstanceCount: more nodes than 100,000 vCPUs hold', () => {
    fc.assert(fc.property(fc.constantFrom(...MULTI_NODE), fc.integer({ min: 1, max: 1000 }), (gpu, extra) => {
      const maxInstanceCount = Math.floor(100_000 / gpu.vcpus) + extra;
      fc.pre(maxInstanceCount <= 1000);
      expectRefused(batch({ gpu, maxInstanceCount, maxvCpus: gpu.vcpus }), 'GpuBatchCompute.maxInstanceCount');
    }), params);
  });

  test('teamName: empty, overlong, or with characters names and prefixes reject', () => {
    fc.assert(fc.property(invalidTeamName, (teamName) => expectRefused(batch({ teamName }), 'GpuBatchCompute.teamName')), params);
  });

  test('gpu: unknown instance types, accelerators that are not NVIDIA, profiles too small for a job container', () => {
    const known = new Set(GpuProfile.all().map((p) => p.instanceType));
    const unknown = fc.stringMatching(/^ml\.[a-z][a-z0-9]{0,5}\.[a-z0-9]{1,10}$/).filter((s) => !known.has(s));
    fc.assert(fc.property(unknown, fc.double({ min: 0.001, max: 0.27, noNaN: true }), (instanceType, memoryGib) => {
      expectRefused(() => GpuProfile.of(instanceType), 'GpuProfile.of');
      const tiny = GpuProfile.custom({ instanceType, acceleratorModel: 'NVIDIA T4', acceleratorCount: 1, acceleratorMemoryGib: 16, vcpus: 4, memoryGib });
      expectRefused(batch({ gpu: tiny }), 'GpuBatchCompute.gpu');
    }), params);
    expectRefused(batch({ gpu: GpuProfile.TRN1_32XLARGE }), 'GpuBatchCompute.gpu');
  });

  test('maxRuntime: under a minute, over 14 days, fractions of a second, NaN', () => {
    fc.assert(fc.property(badSeconds(60, 14 * 24 * 3600), (maxRuntime) =>
      expectRefused(batch({ maxRuntime }), 'GpuBatchCompute.maxRuntime (seconds)')), params);
  });

  test('volumeSize: under 30 GiB, over 16 TiB, fractions of a GiB', () => {
    const invalid = fc.oneof(
      fc.integer({ min: 0, max: 29 }).map((g) => Size.gibibytes(g)),
      fc.integer({ min: 16_385, max: 100_000 }).map((g) => Size.gibibytes(g)),
      fc.integer({ min: 30 * 1024 + 1, max: 1_000_000 }).filter((m) => m % 1024 !== 0).map((m) => Size.mebibytes(m)),
    );
    fc.assert(fc.property(invalid, (volumeSize) => expectRefused(batch({ volumeSize }), 'GpuBatchCompute.volumeSize (GiB)')), params);
  });

  test('costCenter, s3PrefixListId, imageTag and command: values AWS would reject at deploy time', () => {
    const badPrefixList = fc.oneof(fc.constantFrom('', 'pl-', 'pl-XYZ12345', 'pl-1234567', 'prefix', 'pl-63a5400a '), fc.string({ maxLength: 20 }).filter((s) => !/^pl-[0-9a-f]{8,17}$/.test(s)));
    const badTag = fc.oneof(fc.constantFrom('', '.latest', '-x', 'bad tag', 'a'.repeat(129), 5, {}), fc.string({ maxLength: 20 }).filter((s) => !/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(s)));
    const badCommand = fc.oneof(fc.string(), fc.constant([1, 2]), fc.constant({}), fc.constant(['python3', null]));
    fc.assert(fc.property(badTagValue, badPrefixList, badTag, badCommand, (costCenter, s3PrefixListId, imageTag, command) => {
      expectRefused(batch({ costCenter }), 'GpuBatchCompute.costCenter');
      expectRefused(batch({ s3PrefixListId }), 'GpuBatchCompute.s3PrefixListId');
      expectRefused(batch({ imageTag }), 'GpuBatchCompute.imageTag');
      expectRefused(batch({ command }), 'GpuBatchCompute.command');
    }), params);
  });
});

/** Valid GpuBatchCompute props (a sample per team, NVIDIA profiles only). */
const validBatchProps = fc.record({
  teamName: validTeamName,
  gpu: fc.constantFrom(...NVIDIA),
  nodes: fc.integer({ min: 1, max: 4 }),
  extraVcpus: fc.option(fc.integer({ min: 0, max: 1000 }), { nil: undefined }),
  useSpot: fc.boolean(),
  costCenter: fc.option(fc.stringMatching(/^[a-z][a-z0-9 _.:/=+@-]{0,30}$/), { nil: undefined }),
  retryAttempts: fc.integer({ min: 1, max: 10 }),
  maxRuntimeMinutes: fc.integer({ min: 1, max: 14 * 24 * 60 }),
  rootVolumeGib: fc.integer({ min: 30, max: 16384 }),
}).map((v) => ({
  teamName: v.teamName,
  gpu: v.gpu,
  maxInstanceCount: v.gpu.multiNodeSupported ? v.nodes : 1,
  maxvCpus: v.extraVcpus === undefined ? undefined : v.gpu.vcpus + v.extraVcpus,
  useSpot: v.useSpot,
  costCenter: v.costCenter,
  retryAttempts: v.retryAttempts,
  maxRuntime: Duration.minutes(v.maxRuntimeMinutes),
  volumeSize: Size.gibibytes(v.rootVolumeGib),
}));

describe('GpuBatchCompute accepts valid props', () => {
  test('generated valid props build', () => {
    fc.assert(fc.property(validBatchProps, (props) => expectAccepted(batch(props))), fewerParams(10));
  });

  // Synthesizing with every pack is slow: three teams in one app.
  const samples = fc.sample(validBatchProps, { numRuns: 12, seed: SEED })
    .filter((s, i, all) => all.findIndex((t) => t.teamName === s.teamName) === i)
    .slice(0, 3);
  const result = synthWithCompliance((a) => {
    const shared = new MlPlatform(new Stack(a, 'Platform'), 'Platform', { batchCompute: true });
    samples.forEach((props, i) => new GpuBatchCompute(new Stack(a, `Team${i}`), 'Batch', { platform: shared, ...props }));
  });

  test(`${samples.length} generated computes have no unacknowledged findings from any pack`, () => {
    expect(samples).toHaveLength(3);
    expect(describeFindings(result.report)).toEqual([]);
  });
});

describe('ModelRegistry refuses invalid props, naming the prop', () => {
  test('description: over 1,024 characters, or with control characters SageMaker rejects', () => {
    const invalid = fc.oneof(
      fc.string({ minLength: 1025, maxLength: 1100 }),
      fc.tuple(fc.string({ maxLength: 50 }), fc.constantFrom('\n', '\r', '\t', '\u0000', '\u0007', '\u200b', '\ufeff'), fc.string({ maxLength: 50 }))
        .map(([a, c, b]) => `${a}${c}${b}`),
    );
    fc.assert(fc.property(invalid, (description) => expectRefused(models({ description }), 'ModelRegistry.description')), params);
  });

  test('crossAccountReadAccounts: entries that are not 12 digits, and duplicates', () => {
    fc.assert(fc.property(invalidAccountList, (crossAccountReadAccounts) =>
      expectRefused(models({ crossAccountReadAccounts }), 'ModelRegistry.crossAccountReadAccounts')), params);
  });

  test('valid descriptions (any letters, marks, spaces, symbols, digits, punctuation) and account lists are accepted', () => {
    const description = fc.string({ maxLength: 200, unit: 'grapheme' }).filter((s) => /^[\p{L}\p{M}\p{Z}\p{S}\p{N}\p{P}]*$/u.test(s) && s.length <= 1024);
    fc.assert(fc.property(description, validAccountList, (d, accounts) =>
      expectAccepted(models({ description: d, crossAccountReadAccounts: accounts }))), fewerParams(2));
  });
});

/** Valid ECR repository names: namespaces of lowercase segments with single separators. */
const validRepositoryName = fc.array(fc.stringMatching(/^[a-z0-9]{1,8}(?:[._-][a-z0-9]{1,8}){0,2}$/), { minLength: 1, maxLength: 3 })
  .map((segments) => segments.join('/'))
  .filter((name) => name.length >= 2 && name.length <= 256);

describe('ImageRegistry refuses invalid props, naming the prop', () => {
  test('repositoryName: under 2 or over 256 characters, uppercase, doubled or dangling separators', () => {
    const invalid = fc.oneof(
      fc.constantFrom('', 'a', 'Fraud/trainer', 'fraud//trainer', 'fraud/', '/fraud', 'fraud--trainer', 'fraud..x', '-fraud', 'fraud_', 'fraud trainer', 'fraud:latest'),
      fc.stringMatching(/^[a-z0-9]{257,300}$/),
      fc.string({ minLength: 2, maxLength: 30 }).filter((s) => !/^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/.test(s)),
    );
    fc.assert(fc.property(invalid, (repositoryName) => expectRefused(images({ repositoryName }), 'ImageRegistry.repositoryName')), params);
  });

  test('maxTaggedImages: 0, negatives, fractions, NaN, Infinity, over 10,000', () => {
    fc.assert(fc.property(fc.oneof(notAWholePositive, fc.integer({ min: 10_001, max: 1_000_000 })), (maxTaggedImages) =>
      expectRefused(images({ maxTaggedImages }), 'ImageRegistry.maxTaggedImages')), params);
  });

  test('untaggedImageExpiration: under a day, fractions of a day, over 10 years, NaN', () => {
    const invalid = fc.oneof(
      fc.constantFrom(Duration.days(0), Duration.days(NaN), Duration.days(Infinity), Duration.hours(36)),
      fc.integer({ min: 3651, max: 100_000 }).map((d) => Duration.days(d)),
      fc.integer({ min: 1, max: 100_000 }).filter((h) => h % 24 !== 0).map((h) => Duration.hours(h)),
    );
    fc.assert(fc.property(invalid, (untaggedImageExpiration) =>
      expectRefused(images({ untaggedImageExpiration }), 'ImageRegistry.untaggedImageExpiration (days)')), params);
  });

  test('crossAccountPullAccounts: entries that are not 12 digits, and duplicates', () => {
    fc.assert(fc.property(invalidAccountList, (crossAccountPullAccounts) =>
      expectRefused(images({ crossAccountPullAccounts }), 'ImageRegistry.crossAccountPullAccounts')), params);
  });

  test('valid names, counts, expirations and account lists are accepted', () => {
    const valid = fc.record({
      repositoryName: validRepositoryName,
      maxTaggedImages: fc.integer({ min: 1, max: 10_000 }),
      untaggedImageExpiration: fc.integer({ min: 1, max: 3650 }).map((d) => Duration.days(d)),
      crossAccountPullAccounts: validAccountList,
    });
    fc.assert(fc.property(valid, (props) => expectAccepted(images(props))), fewerParams(2));
  });
});

describe('ExperimentTracking refuses invalid props, naming the prop', () => {
  const days = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
  const pad = (v: number) => String(v).padStart(2, '0');

  test('trackingName: empty, over 256 characters, or breaking the SageMaker pattern', () => {
    const invalid = fc.oneof(
      fc.constantFrom('', '-mlflow', 'mlflow-', 'ml_flow', 'ml flow', 'ml.flow'),
      fc.stringMatching(/^[a-z0-9]{257,300}$/),
      fc.string({ minLength: 1, maxLength: 30 }).filter((s) => !/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}$/.test(s)),
    );
    fc.assert(fc.property(invalid, (trackingName) => expectRefused(tracking({ trackingName }), 'ExperimentTracking.trackingName')), params);
  });

  test('weeklyMaintenanceWindowStart: not Ddd:HH:MM, unknown days, hours over 23, minutes over 59', () => {
    const invalid = fc.oneof(
      fc.tuple(fc.constantFrom(...days), fc.integer({ min: 24, max: 99 }), fc.integer({ min: 0, max: 59 })).map(([d, h, m]) => `${d}:${pad(h)}:${pad(m)}`),
      fc.tuple(fc.constantFrom(...days), fc.integer({ min: 0, max: 23 }), fc.integer({ min: 60, max: 99 })).map(([d, h, m]) => `${d}:${pad(h)}:${pad(m)}`),
      fc.tuple(fc.constantFrom('mon', 'MON', 'Monday', 'Mo', 'Xyz', ''), fc.integer({ min: 0, max: 23 })).map(([d, h]) => `${d}:${pad(h)}:00`),
      fc.tuple(fc.constantFrom(...days), fc.integer({ min: 0, max: 9 })).map(([d, h]) => `${d}:${h}:00`),
      fc.constantFrom('Sun 02:00', 'Sun:02', 'Sun:02:00:00', '02:00', 'Sun:-1:00', 'Sun:NaN:00', 'Sun:02:00 '),
      fc.string({ maxLength: 12 }).filter((s) => !/^(Mon|Tue|Wed|Thu|Fri|Sat|Sun):([01]\d|2[0-3]):([0-5]\d)$/.test(s)),
    );
    fc.assert(fc.property(invalid, (weeklyMaintenanceWindowStart) =>
      expectRefused(tracking({ weeklyMaintenanceWindowStart }), 'ExperimentTracking.weeklyMaintenanceWindowStart')), params);
  });

  test('dedicatedServer: sizes SageMaker does not offer, MLflow versions that are not x.y[.z[.w]]', () => {
    const sizes = Object.values(TrackingServerSize) as string[];
    const badSize = fc.oneof(fc.constantFrom('small', 'SMALL', 'XLarge', ''), fc.string({ maxLength: 10 }).filter((s) => !sizes.includes(s)));
    const badVersion = fc.oneof(fc.constantFrom(2.16 as any, '', '2', 'v2.16', '2.16.', '.2', '2..16', '2.16.1.0.1', 'latest', '2.16 '), fc.string({ maxLength: 10 }).filter((s) => !/^\d+(\.\d+){1,3}$/.test(s)));
    fc.assert(fc.property(badSize, badVersion, (size, mlflowVersion) => {
      expectRefused(tracking({ dedicatedServer: { size } }), 'ExperimentTracking.dedicatedServer.size');
      expectRefused(tracking({ dedicatedServer: { mlflowVersion } }), 'ExperimentTracking.dedicatedServer.mlflowVersion');
    }), params);
  });

  test('artifactsPrefix: empty, starting with or not ending in /, empty segments, unsafe characters, wildcards, overlong', () => {
    const invalid = fc.oneof(
      fc.constantFrom('', '/', 'mlflow', '/mlflow/', 'ml//flow/', 'ml flow/', 'ml#flow/', 'ml?flow/', 'ml%flow/', 'mlflow\\', 'ml*/', '*/'),
      fc.string({ minLength: 1, maxLength: 20 }).filter((s) => !/^([A-Za-z0-9!_.'()-]+\/)+$/.test(s)),
      fc.integer({ min: 257, max: 1200 }).map((length) => `${'a'.repeat(length - 1)}/`),
    );
    fc.assert(fc.property(invalid, (artifactsPrefix) => expectRefused(tracking({ artifactsPrefix }), 'ExperimentTracking.artifactsPrefix')), params);
  });

  test('valid names, windows, sizes, versions and prefixes are accepted', () => {
    const valid = fc.record({
      trackingName: fc.stringMatching(/^[a-zA-Z0-9](-?[a-zA-Z0-9]){0,40}$/),
      weeklyMaintenanceWindowStart: fc.tuple(fc.constantFrom(...days), fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 })).map(([d, h, m]) => `${d}:${pad(h)}:${pad(m)}`),
      dedicatedServer: fc.option(fc.record({
        size: fc.constantFrom(...Object.values(TrackingServerSize)),
        mlflowVersion: fc.option(fc.stringMatching(/^[1-9]\.\d{1,2}(\.\d{1,2})?$/), { nil: undefined }),
      }), { nil: undefined }),
      artifactsPrefix: fc.array(fc.stringMatching(/^[A-Za-z0-9!_.'()-]{1,12}$/).filter((seg) => seg !== '.' && seg !== '..'), { minLength: 1, maxLength: 3 }).map((segments) => `${segments.join('/')}/`),
      automaticModelRegistration: fc.boolean(),
    });
    fc.assert(fc.property(valid, (props) => expectAccepted(tracking(props))), fewerParams(4));
  });
});

describe('valid registries synthesize with zero unacknowledged findings', () => {
  const sample = fc.sample(fc.record({
    groupName: fc.stringMatching(/^[a-z0-9](-?[a-z0-9]){0,30}$/),
    description: fc.stringMatching(/^[A-Za-z0-9 ,.()-]{0,80}$/),
    readAccounts: validAccountList,
    repositoryName: validRepositoryName,
    maxTaggedImages: fc.integer({ min: 1, max: 10_000 }),
    pullAccounts: validAccountList,
    trackingName: fc.stringMatching(/^[a-z](-?[a-z0-9]){0,30}$/),
    window: fc.constantFrom('Mon:00:00', 'Tue:03:30', 'Sun:23:59'),
    dedicated: fc.boolean(),
  }), { numRuns: 3, seed: SEED });
  let stack!: Stack;
  const result = synthWithCompliance((a) => {
    stack = new Stack(a, 'Team');
    const shared = new MlPlatform(stack, 'Platform', { experimentTrackingMode: PlatformExperimentTrackingMode.NONE });
    sample.forEach((s, i) => {
      new ModelRegistry(stack, `Models${i}`, { groupName: `${s.groupName}-${i}`, description: s.description, crossAccountReadAccounts: s.readAccounts, encryptionKey: shared.encryptionKey });
      new ImageRegistry(stack, `Images${i}`, { repositoryName: `${s.repositoryName}-${i}`, maxTaggedImages: s.maxTaggedImages, crossAccountPullAccounts: s.pullAccounts, encryptionKey: shared.encryptionKey });
      new ExperimentTracking(stack, `Tracking${i}`, {
        trackingName: `${s.trackingName}-${i}`,
        weeklyMaintenanceWindowStart: s.window,
        dedicatedServer: s.dedicated ? { size: TrackingServerSize.SMALL } : undefined,
        artifactsBucket: shared.artifactsBucket,
        artifactsPrefix: `mlflow/${i}/`,
        encryptionKey: shared.encryptionKey,
      });
    });
  });

  test('3 generated model registries, image registries and MLflow trackers', () => {
    expect(sample).toHaveLength(3);
    expect(describeFindings(result.report)).toEqual([]);
    expect(stack).toBeDefined();
  });
});
