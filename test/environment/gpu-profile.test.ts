import { TrainyardValidationError } from '../../src/core/errors';
import { GpuProfile, GpuProfileProps } from '../../src/environment/gpu-profile';

describe('GpuProfile catalogue', () => {
  const required = [
    'ml.g4dn.xlarge', 'ml.g5.xlarge', 'ml.g5.2xlarge', 'ml.g5.12xlarge', 'ml.g5.48xlarge', 'ml.g6.xlarge', 'ml.g6.12xlarge',
    'ml.g6e.xlarge', 'ml.p3.2xlarge', 'ml.p4d.24xlarge', 'ml.p4de.24xlarge', 'ml.p5.48xlarge', 'ml.trn1.32xlarge',
  ];

  test('holds every instance type the issue asks for, once each', () => {
    const types = GpuProfile.all().map((p) => p.instanceType);
    expect(types).toEqual(expect.arrayContaining(required));
    expect(new Set(types).size).toBe(types.length);
  });

  test.each(required)('%s is complete and consistent', (type) => {
    const p = GpuProfile.of(type);
    expect(p.instanceType).toBe(type);
    expect(p.ec2InstanceType).toBe(type.replace(/^ml\./, ''));
    expect(p.acceleratorModel.length).toBeGreaterThan(3);
    expect(Number.isInteger(p.acceleratorCount) && p.acceleratorCount >= 1).toBe(true);
    expect(p.acceleratorMemoryGib).toBeGreaterThanOrEqual(16 * p.acceleratorCount);
    expect(p.vcpus).toBeGreaterThanOrEqual(4);
    expect(p.memoryGib).toBeGreaterThanOrEqual(16);
    expect(p.onDemandHourlyUsd).toBeGreaterThan(0.5);
    expect(p.priceRegion).toBe('us-east-1');
    expect(p.priceDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(p.toEc2InstanceType().toString()).toBe(p.ec2InstanceType);
  });

  test('known facts: accelerators, memory, EFA', () => {
    expect([GpuProfile.G5_2XLARGE.acceleratorModel, GpuProfile.G5_2XLARGE.acceleratorCount, GpuProfile.G5_2XLARGE.acceleratorMemoryGib]).toEqual(['NVIDIA A10G', 1, 24]);
    expect([GpuProfile.G5_2XLARGE.vcpus, GpuProfile.G5_2XLARGE.memoryGib, GpuProfile.G5_2XLARGE.efaSupported]).toEqual([8, 32, false]);
    expect([GpuProfile.P4DE_24XLARGE.acceleratorMemoryGib, GpuProfile.P4D_24XLARGE.acceleratorMemoryGib]).toEqual([640, 320]);
    expect(GpuProfile.P4DE_24XLARGE.acceleratorMemoryGibPerAccelerator).toBe(80);
    expect(GpuProfile.P5_48XLARGE.acceleratorModel).toBe('NVIDIA H100');
    expect(GpuProfile.G6E_XLARGE.acceleratorMemoryGib).toBe(48);
    expect(GpuProfile.TRN1_32XLARGE.acceleratorCount).toBe(16);
    expect(GpuProfile.TRN1_32XLARGE.isNvidiaGpu).toBe(false);
    expect(GpuProfile.G4DN_XLARGE.isNvidiaGpu).toBe(true);
    // Only P3 trains on an EBS volume; every other catalogue type has local NVMe storage (no VolumeKmsKeyId allowed).
    expect(GpuProfile.all().filter((p) => !p.localInstanceStorage).map((p) => p.instanceType)).toEqual(['ml.p3.2xlarge']);
    expect(GpuProfile.all().every((p) => p.multiNodeSupported)).toBe(true);
    const efa = GpuProfile.all().filter((p) => p.efaSupported).map((p) => p.instanceType).sort();
    expect(efa).toEqual(['ml.g5.12xlarge', 'ml.g5.48xlarge', 'ml.g6.12xlarge', 'ml.p4d.24xlarge', 'ml.p4de.24xlarge', 'ml.p5.48xlarge', 'ml.trn1.32xlarge']);
  });

  test('architecture and CUDA compute capability (NVIDIA CUDA GPUs table) for every NVIDIA profile; none for Trainium', () => {
    const cc = Object.fromEntries(GpuProfile.all().map((p) => [p.instanceType, [p.acceleratorArchitecture, p.cudaComputeCapability]]));
    expect(cc['ml.g4dn.xlarge']).toEqual(['Turing', 7.5]);
    expect(cc['ml.g5.2xlarge']).toEqual(['Ampere', 8.6]);
    expect(cc['ml.g6.xlarge']).toEqual(['Ada Lovelace', 8.9]);
    expect(cc['ml.g6e.xlarge']).toEqual(['Ada Lovelace', 8.9]);
    expect(cc['ml.p3.2xlarge']).toEqual(['Volta', 7.0]);
    expect(cc['ml.p4d.24xlarge']).toEqual(['Ampere', 8.0]);
    expect(cc['ml.p5.48xlarge']).toEqual(['Hopper', 9.0]);
    expect(cc['ml.trn1.32xlarge']).toEqual(['Trainium', undefined]);
    expect(GpuProfile.all().filter((p) => p.isNvidiaGpu && p.cudaComputeCapability === undefined)).toEqual([]);
    expect(() => GpuProfile.custom({ instanceType: 'ml.g7.xlarge', acceleratorModel: 'NVIDIA X', acceleratorCount: 1, acceleratorMemoryGib: 24, vcpus: 4, memoryGib: 16, cudaComputeCapability: 0 }))
      .toThrow(/GpuProfile.custom.cudaComputeCapability: must be a CUDA compute capability/);
  });

  test('prices are ordered as the hardware is: P5 > P4de > P4d > G5.48xlarge > G5.2xlarge > G5.xlarge > G4dn', () => {
    const price = (p: GpuProfile) => p.onDemandHourlyUsd!;
    const ordered = [
      GpuProfile.P5_48XLARGE, GpuProfile.P4DE_24XLARGE, GpuProfile.P4D_24XLARGE, GpuProfile.G5_48XLARGE,
      GpuProfile.G5_2XLARGE, GpuProfile.G5_XLARGE, GpuProfile.G4DN_XLARGE,
    ].map(price);
    expect([...ordered].sort((a, b) => b - a)).toEqual(ordered);
    expect(GpuProfile.G5_2XLARGE.estimateOnDemandCostUsd(4, 10)).toBeCloseTo(1.515 * 40, 6);
  });

  test('of() accepts upper case and surrounding spaces', () => {
    expect(GpuProfile.of(' ML.G5.2XLARGE ')).toBe(GpuProfile.G5_2XLARGE);
  });
});

describe('GpuProfile.of rejects unknown types, listing close matches', () => {
  test.each([
    ['ml.g5.2xlage', /Did you mean ml\.g5\.2xlarge/],
    ['g5.2xlarge', /Did you mean ml\.g5\.2xlarge/],
    ['ml.p5.4xlarge', /Did you mean ml\.p5\.48xlarge/],
    ['ml.g5.24xlarge', /ml\.g5\.2xlarge/],
  ])('%s', (type, message) => {
    expect(() => GpuProfile.of(type)).toThrow(TrainyardValidationError);
    expect(() => GpuProfile.of(type)).toThrow(message);
    expect(() => GpuProfile.of(type)).toThrow(/GpuProfile\.of: .*GpuProfile\.custom/);
  });

  test('a type far from every entry lists the whole catalogue', () => {
    expect(() => GpuProfile.of('ml.zzzzzzzzzz.metal')).toThrow(/Known types: ml\.g4dn\.xlarge, .*ml\.trn1\.32xlarge\./);
  });
});

describe('GpuProfile.custom', () => {
  const base: GpuProfileProps = {
    instanceType: 'ml.g6e.12xlarge',
    acceleratorModel: 'NVIDIA L40S',
    acceleratorCount: 4,
    acceleratorMemoryGib: 192,
    vcpus: 48,
    memoryGib: 384,
    efaSupported: true,
    onDemandHourlyUsd: 13.12,
    priceRegion: 'us-east-1',
    priceDate: '2026-09-27',
  };

  test('builds a profile with defaults for the optional props', () => {
    const p = GpuProfile.custom({ instanceType: 'ml.g6.2xlarge', acceleratorModel: 'NVIDIA L4', acceleratorCount: 1, acceleratorMemoryGib: 24, vcpus: 8, memoryGib: 32 });
    expect([p.ec2InstanceType, p.efaSupported, p.multiNodeSupported, p.onDemandHourlyUsd, p.priceRegion]).toEqual(['g6.2xlarge', false, true, undefined, undefined]);
    expect(p.estimateOnDemandCostUsd(1, 1)).toBeUndefined();
    expect(GpuProfile.custom(base).toString()).toBe('ml.g6e.12xlarge (4 x NVIDIA L40S, 192 GiB)');
  });

  test.each<[Partial<GpuProfileProps>, RegExp]>([
    [{ instanceType: 'g6e.12xlarge' }, /GpuProfile\.custom\.instanceType: must be a SageMaker instance type/],
    [{ instanceType: 'ML.G6E.12XLARGE' }, /GpuProfile\.custom\.instanceType/],
    [{ acceleratorModel: ' ' }, /GpuProfile\.custom\.acceleratorModel/],
    [{ acceleratorCount: 0 }, /GpuProfile\.custom\.acceleratorCount: must be a whole number from 1/],
    [{ acceleratorCount: 1.5 }, /GpuProfile\.custom\.acceleratorCount/],
    [{ acceleratorCount: NaN }, /GpuProfile\.custom\.acceleratorCount/],
    [{ acceleratorMemoryGib: -1 }, /GpuProfile\.custom\.acceleratorMemoryGib/],
    [{ vcpus: 0 }, /GpuProfile\.custom\.vcpus/],
    [{ memoryGib: NaN }, /GpuProfile\.custom\.memoryGib/],
    [{ ec2InstanceType: 'ml.g6e.12xlarge' }, /GpuProfile\.custom\.ec2InstanceType/],
    [{ onDemandHourlyUsd: -2 }, /GpuProfile\.custom\.onDemandHourlyUsd/],
    [{ onDemandHourlyUsd: NaN }, /GpuProfile\.custom\.onDemandHourlyUsd/],
    [{ priceRegion: undefined }, /GpuProfile\.custom\.priceRegion/],
    [{ priceDate: 'last week' }, /GpuProfile\.custom\.priceDate/],
    [{ onDemandHourlyUsd: undefined }, /GpuProfile\.custom\.onDemandHourlyUsd: is required when priceRegion or priceDate/],
  ])('rejects %j', (override, message) => {
    expect(() => GpuProfile.custom({ ...base, ...override } as GpuProfileProps)).toThrow(TrainyardValidationError);
    expect(() => GpuProfile.custom({ ...base, ...override } as GpuProfileProps)).toThrow(message);
  });
});

describe('GpuProfile.isGpuProfile', () => {
  test('recognises catalogue and custom profiles by their Symbol.for mark, and nothing else', () => {
    expect(GpuProfile.isGpuProfile(GpuProfile.G5_2XLARGE)).toBe(true);
    expect(GpuProfile.isGpuProfile(GpuProfile.of('ml.p4d.24xlarge'))).toBe(true);
    // A copy of the class from another copy of the package carries the same global symbol.
    const foreign = Object.defineProperty({ instanceType: 'ml.g5.2xlarge' }, Symbol.for('trainyard.GpuProfile'), { value: true });
    expect(GpuProfile.isGpuProfile(foreign)).toBe(true);
    expect(GpuProfile.isGpuProfile({ instanceType: 'ml.g5.2xlarge', acceleratorCount: 1 })).toBe(false);
    expect(GpuProfile.isGpuProfile('ml.g5.2xlarge')).toBe(false);
    expect(GpuProfile.isGpuProfile(undefined)).toBe(false);
    expect(GpuProfile.isGpuProfile(null)).toBe(false);
  });
});
