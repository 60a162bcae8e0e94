import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { TrainyardValidationError } from '../core/errors';
import { CATALOGUE_PRICE_DATE, CATALOGUE_PRICE_REGION, GPU_CATALOGUE, isNvidiaModel } from './private/gpu-catalogue-data';

/**
 * What a GPU (or other accelerator) training instance type offers. Used by `GpuProfile.custom` for
 * types that are not in the catalogue.
 */
export interface GpuProfileProps {
  /**
   * The SageMaker training instance type, for example `ml.g5.2xlarge`.
   */
  readonly instanceType: string;

  /**
   * The accelerator model, for example `NVIDIA A10G` or `AWS Trainium`.
   */
  readonly acceleratorModel: string;

  /**
   * How many accelerators (GPUs or Trainium chips) one instance has. At least 1.
   */
  readonly acceleratorCount: number;

  /**
   * The accelerator memory of one instance, in GiB, summed over all its accelerators.
   */
  readonly acceleratorMemoryGib: number;

  /**
   * The vCPUs of one instance.
   */
  readonly vcpus: number;

  /**
   * The memory (RAM) of one instance, in GiB.
   */
  readonly memoryGib: number;

  /**
   * Whether the instance type supports Elastic Fabric Adapter (EFA) for low-latency multi-node traffic.
   *
   * @default false
   */
  readonly efaSupported?: boolean;

  /**
   * Whether jobs may run on more than one instance of this type (multi-node distributed training).
   *
   * @default true
   */
  readonly multiNodeSupported?: boolean;

  /**
   * Whether the instance type has local NVMe instance storage. SageMaker then trains on that
   * storage, which the instance encrypts with a hardware module, and rejects a `VolumeKmsKeyId`.
   *
   * @default false (an EBS volume, encrypted with the platform key)
   */
  readonly localInstanceStorage?: boolean;

  /**
   * The accelerator architecture, for example `Ampere` or `Hopper` (NVIDIA) or `Trainium`.
   *
   * @default - unknown
   */
  readonly acceleratorArchitecture?: string;

  /**
   * The CUDA compute capability of an NVIDIA GPU, for example 8.6 for the A10G. It orders GPU
   * generations: right-sizing advice for compute-bound runs only suggests the same or a newer one.
   *
   * @default - unknown (not an NVIDIA GPU, or not stated)
   */
  readonly cudaComputeCapability?: number;

  /**
   * The EC2 instance type AWS Batch uses for this profile.
   *
   * @default - `instanceType` without the `ml.` prefix
   */
  readonly ec2InstanceType?: string;

  /**
   * A reference on-demand price of one instance for SageMaker training, in USD per hour.
   *
   * @default - no reference price (cost estimates are unavailable)
   */
  readonly onDemandHourlyUsd?: number;

  /**
   * The AWS Region the reference price is for. Required with `onDemandHourlyUsd`.
   *
   * @default - no reference price
   */
  readonly priceRegion?: string;

  /**
   * The date (YYYY-MM-DD) the reference price was read. Required with `onDemandHourlyUsd`.
   *
   * @default - no reference price
   */
  readonly priceDate?: string;
}

const INSTANCE_TYPE_PATTERN = /^ml\.[a-z][a-z0-9-]*\.[a-z0-9]+$/;
const EC2_INSTANCE_TYPE_PATTERN = /^[a-z][a-z0-9-]*\.[a-z0-9]+$/;
const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d$/;

/** Marks `GpuProfile` instances (`GpuProfile.isGpuProfile`); `Symbol.for`, so two copies of the package agree. */
const GPU_PROFILE_SYMBOL = Symbol.for('trainyard.GpuProfile');

/**
 * A SageMaker training accelerator instance type and what it offers: the accelerator model and
 * count, accelerator memory, vCPUs and memory, EFA and multi-node support, the EC2 type AWS Batch
 * uses, and a reference on-demand price.
 *
 * Pick one from the catalogue (`GpuProfile.G5_2XLARGE`, `GpuProfile.of('ml.p5.48xlarge')`), or
 * describe another type with `GpuProfile.custom({...})`.
 *
 * Catalogue prices are SageMaker training on-demand list prices in us-east-1 as of 2026-09-27
 * (`priceRegion`, `priceDate`); they are references for budgets and cost estimates, not quotes.
 * Spot, Savings Plans, other Regions and later price changes differ.
 */
export class GpuProfile {
  /** 1 x NVIDIA T4 (16 GiB), 4 vCPUs, 16 GiB. The cheapest GPU: smoke tests and small models. */
  public static readonly G4DN_XLARGE = GpuProfile.catalogue(GPU_CATALOGUE.G4DN_XLARGE);

  /** 1 x NVIDIA A10G (24 GiB), 4 vCPUs, 16 GiB. */
  public static readonly G5_XLARGE = GpuProfile.catalogue(GPU_CATALOGUE.G5_XLARGE);

  /** 1 x NVIDIA A10G (24 GiB), 8 vCPUs, 32 GiB. A sensible default for fine-tuning up to ~7B parameters with LoRA. */
  public static readonly G5_2XLARGE = GpuProfile.catalogue(GPU_CATALOGUE.G5_2XLARGE);

  /** 4 x NVIDIA A10G (96 GiB in total), 48 vCPUs, 192 GiB, EFA. */
  public static readonly G5_12XLARGE = GpuProfile.catalogue(GPU_CATALOGUE.G5_12XLARGE);

  /** 8 x NVIDIA A10G (192 GiB in total), 192 vCPUs, 768 GiB, EFA. */
  public static readonly G5_48XLARGE = GpuProfile.catalogue(GPU_CATALOGUE.G5_48XLARGE);

  /** 1 x NVIDIA L4 (24 GiB), 4 vCPUs, 16 GiB. */
  public static readonly G6_XLARGE = GpuProfile.catalogue(GPU_CATALOGUE.G6_XLARGE);

  /** 4 x NVIDIA L4 (96 GiB in total), 48 vCPUs, 192 GiB, EFA. */
  public static readonly G6_12XLARGE = GpuProfile.catalogue(GPU_CATALOGUE.G6_12XLARGE);

  /** 1 x NVIDIA L40S (48 GiB), 4 vCPUs, 32 GiB. */
  public static readonly G6E_XLARGE = GpuProfile.catalogue(GPU_CATALOGUE.G6E_XLARGE);

  /** 1 x NVIDIA V100 (16 GiB), 8 vCPUs, 61 GiB. Previous generation. */
  public static readonly P3_2XLARGE = GpuProfile.catalogue(GPU_CATALOGUE.P3_2XLARGE);

  /** 8 x NVIDIA A100 40 GB (320 GiB in total), 96 vCPUs, 1,152 GiB, EFA. */
  public static readonly P4D_24XLARGE = GpuProfile.catalogue(GPU_CATALOGUE.P4D_24XLARGE);

  /** 8 x NVIDIA A100 80 GB (640 GiB in total), 96 vCPUs, 1,152 GiB, EFA. */
  public static readonly P4DE_24XLARGE = GpuProfile.catalogue(GPU_CATALOGUE.P4DE_24XLARGE);

  /** 8 x NVIDIA H100 (640 GiB in total), 192 vCPUs, 2,048 GiB, EFA. */
  public static readonly P5_48XLARGE = GpuProfile.catalogue(GPU_CATALOGUE.P5_48XLARGE);

  /** 16 x AWS Trainium (512 GiB in total), 128 vCPUs, 512 GiB, EFA. Needs the AWS Neuron SDK, not CUDA. */
  public static readonly TRN1_32XLARGE = GpuProfile.catalogue(GPU_CATALOGUE.TRN1_32XLARGE);

  /**
   * Whether `x` is a GpuProfile. Uses a `Symbol.for` mark rather than `instanceof`, so a profile made
   * by another copy of this package (two versions in one app's node_modules) is recognised too.
   */
  public static isGpuProfile(x: any): x is GpuProfile {
    return x !== null && typeof x === 'object' && GPU_PROFILE_SYMBOL in x;
  }

  /** Every profile in the catalogue, smallest family first. */
  public static all(): GpuProfile[] {
    return [
      GpuProfile.G4DN_XLARGE,
      GpuProfile.G5_XLARGE,
      GpuProfile.G5_2XLARGE,
      GpuProfile.G5_12XLARGE,
      GpuProfile.G5_48XLARGE,
      GpuProfile.G6_XLARGE,
      GpuProfile.G6_12XLARGE,
      GpuProfile.G6E_XLARGE,
      GpuProfile.P3_2XLARGE,
      GpuProfile.P4D_24XLARGE,
      GpuProfile.P4DE_24XLARGE,
      GpuProfile.P5_48XLARGE,
      GpuProfile.TRN1_32XLARGE,
    ];
  }

  /**
   * The catalogue profile of a SageMaker instance type, for example `GpuProfile.of('ml.p5.48xlarge')`.
   * Throws, listing the closest catalogue types, when the type is not in the catalogue; use
   * `GpuProfile.custom` for those.
   */
  public static of(instanceType: string): GpuProfile {
    const wanted = typeof instanceType === 'string' ? instanceType.trim().toLowerCase() : '';
    const found = GpuProfile.all().find((p) => p.instanceType === wanted);
    if (found) {
      return found;
    }
    const names = GpuProfile.all().map((p) => p.instanceType);
    const close = closestMatches(wanted, names);
    const hint = close.length > 0 ? `Did you mean ${close.join(', ')}?` : `Known types: ${names.join(', ')}.`;
    throw new TrainyardValidationError(
      'GpuProfile.of',
      `'${String(instanceType)}' is not in the GPU catalogue. ${hint} Use GpuProfile.custom({...}) for other instance types.`,
    );
  }

  /**
   * A profile for an instance type that is not in the catalogue. Every value is checked: counts
   * are whole numbers of at least 1, sizes positive, the type an `ml.` SageMaker type, and a price
   * states its Region and date.
   */
  public static custom(props: GpuProfileProps): GpuProfile {
    return new GpuProfile(props, 'GpuProfile.custom');
  }

  private static catalogue(props: GpuProfileProps): GpuProfile {
    return new GpuProfile({ ...props, priceRegion: CATALOGUE_PRICE_REGION, priceDate: CATALOGUE_PRICE_DATE }, 'GpuProfile');
  }

  /** The SageMaker training instance type, for example `ml.g5.2xlarge`. */
  public readonly instanceType: string;

  /** The accelerator model, for example `NVIDIA A10G`. */
  public readonly acceleratorModel: string;

  /** How many accelerators one instance has. */
  public readonly acceleratorCount: number;

  /** The accelerator memory of one instance in GiB, summed over its accelerators. */
  public readonly acceleratorMemoryGib: number;

  /** The vCPUs of one instance. */
  public readonly vcpus: number;

  /** The memory (RAM) of one instance, in GiB. */
  public readonly memoryGib: number;

  /** Whether the instance type supports Elastic Fabric Adapter (EFA). */
  public readonly efaSupported: boolean;

  /** Whether jobs may use more than one instance of this type. */
  public readonly multiNodeSupported: boolean;

  /**
   * Whether the instance type has local NVMe instance storage (hardware-encrypted; SageMaker
   * rejects a `VolumeKmsKeyId` for it).
   */
  public readonly localInstanceStorage: boolean;

  /** The EC2 instance type AWS Batch uses, for example `g5.2xlarge`. */
  public readonly ec2InstanceType: string;

  /**
   * The accelerator architecture, for example `Ampere`.
   *
   * @default - unknown
   */
  public readonly acceleratorArchitecture?: string;

  /**
   * The CUDA compute capability of an NVIDIA GPU, for example 8.6.
   *
   * @default - unknown
   */
  public readonly cudaComputeCapability?: number;

  /**
   * A reference on-demand SageMaker training price of one instance, in USD per hour.
   *
   * @default - no reference price
   */
  public readonly onDemandHourlyUsd?: number;

  /**
   * The Region of the reference price.
   *
   * @default - no reference price
   */
  public readonly priceRegion?: string;

  /**
   * The date (YYYY-MM-DD) the reference price was read.
   *
   * @default - no reference price
   */
  public readonly priceDate?: string;

  private constructor(props: GpuProfileProps, source: string) {
    Object.defineProperty(this, GPU_PROFILE_SYMBOL, { value: true });
    if (!props || typeof props !== 'object') {
      throw new TrainyardValidationError(source, 'needs the profile props ({ instanceType, acceleratorModel, acceleratorCount, ... }).');
    }
    const type = props.instanceType;
    if (typeof type !== 'string' || !INSTANCE_TYPE_PATTERN.test(type)) {
      throw new TrainyardValidationError(
        `${source}.instanceType`,
        `must be a SageMaker instance type in lowercase such as 'ml.g5.2xlarge', got '${String(type)}'.`,
      );
    }
    if (typeof props.acceleratorModel !== 'string' || props.acceleratorModel.trim().length === 0) {
      throw new TrainyardValidationError(`${source}.acceleratorModel`, `must name the accelerator, for example 'NVIDIA A10G', got '${String(props.acceleratorModel)}'.`);
    }
    requireWhole(`${source}.acceleratorCount`, props.acceleratorCount, 1, 64);
    requirePositive(`${source}.acceleratorMemoryGib`, props.acceleratorMemoryGib);
    requireWhole(`${source}.vcpus`, props.vcpus, 1, 1024);
    requirePositive(`${source}.memoryGib`, props.memoryGib);
    const ec2Type = props.ec2InstanceType ?? type.replace(/^ml\./, '');
    if (typeof ec2Type !== 'string' || !EC2_INSTANCE_TYPE_PATTERN.test(ec2Type)) {
      throw new TrainyardValidationError(`${source}.ec2InstanceType`, `must be an EC2 instance type such as 'g5.2xlarge', got '${String(ec2Type)}'.`);
    }
    if (props.acceleratorArchitecture !== undefined && (typeof props.acceleratorArchitecture !== 'string' || props.acceleratorArchitecture.trim().length === 0)) {
      throw new TrainyardValidationError(`${source}.acceleratorArchitecture`, `must name the architecture, for example 'Ampere', got '${String(props.acceleratorArchitecture)}'.`);
    }
    if (props.cudaComputeCapability !== undefined
      && (typeof props.cudaComputeCapability !== 'number' || !Number.isFinite(props.cudaComputeCapability) || props.cudaComputeCapability < 1 || props.cudaComputeCapability >= 100)) {
      throw new TrainyardValidationError(`${source}.cudaComputeCapability`, `must be a CUDA compute capability such as 8.6, got ${String(props.cudaComputeCapability)}.`);
    }
    if (props.onDemandHourlyUsd !== undefined) {
      if (typeof props.onDemandHourlyUsd !== 'number' || !Number.isFinite(props.onDemandHourlyUsd) || props.onDemandHourlyUsd < 0) {
        throw new TrainyardValidationError(`${source}.onDemandHourlyUsd`, `must be a price of 0 or more in USD per hour, got ${String(props.onDemandHourlyUsd)}.`);
      }
      if (typeof props.priceRegion !== 'string' || !REGION_PATTERN.test(props.priceRegion)) {
        throw new TrainyardValidationError(`${source}.priceRegion`, `must state the Region of onDemandHourlyUsd, for example 'us-east-1', got '${String(props.priceRegion)}'.`);
      }
      if (typeof props.priceDate !== 'string' || !DATE_PATTERN.test(props.priceDate) || Number.isNaN(Date.parse(props.priceDate))) {
        throw new TrainyardValidationError(`${source}.priceDate`, `must state the date of onDemandHourlyUsd as YYYY-MM-DD, got '${String(props.priceDate)}'.`);
      }
    } else if (props.priceRegion !== undefined || props.priceDate !== undefined) {
      throw new TrainyardValidationError(`${source}.onDemandHourlyUsd`, 'is required when priceRegion or priceDate is given.');
    }

    this.instanceType = type;
    this.acceleratorModel = props.acceleratorModel.trim();
    this.acceleratorCount = props.acceleratorCount;
    this.acceleratorMemoryGib = props.acceleratorMemoryGib;
    this.vcpus = props.vcpus;
    this.memoryGib = props.memoryGib;
    this.efaSupported = props.efaSupported ?? false;
    this.multiNodeSupported = props.multiNodeSupported ?? true;
    this.localInstanceStorage = props.localInstanceStorage ?? false;
    this.ec2InstanceType = ec2Type;
    this.acceleratorArchitecture = props.acceleratorArchitecture?.trim();
    this.cudaComputeCapability = props.cudaComputeCapability;
    this.onDemandHourlyUsd = props.onDemandHourlyUsd;
    this.priceRegion = props.onDemandHourlyUsd !== undefined ? props.priceRegion : undefined;
    this.priceDate = props.onDemandHourlyUsd !== undefined ? props.priceDate : undefined;
  }

  /** The accelerator memory of one accelerator, in GiB. */
  public get acceleratorMemoryGibPerAccelerator(): number {
    return this.acceleratorMemoryGib / this.acceleratorCount;
  }

  /** Whether the accelerators are NVIDIA GPUs (CUDA, the NVIDIA ECS AMI); false for AWS Trainium. */
  public get isNvidiaGpu(): boolean {
    return isNvidiaModel(this.acceleratorModel);
  }

  /** The EC2 instance type for AWS Batch, as a CDK `ec2.InstanceType`. */
  public toEc2InstanceType(): ec2.InstanceType {
    return new ec2.InstanceType(this.ec2InstanceType);
  }

  /**
   * The reference on-demand cost of `instanceCount` instances for `hours` hours, in USD, or
   * undefined when the profile has no reference price.
   */
  public estimateOnDemandCostUsd(instanceCount: number, hours: number): number | undefined {
    requireWhole('GpuProfile.estimateOnDemandCostUsd.instanceCount', instanceCount, 1, 100_000);
    if (typeof hours !== 'number' || !Number.isFinite(hours) || hours < 0) {
      throw new TrainyardValidationError('GpuProfile.estimateOnDemandCostUsd.hours', `must be 0 or more, got ${String(hours)}.`);
    }
    return this.onDemandHourlyUsd === undefined ? undefined : this.onDemandHourlyUsd * instanceCount * hours;
  }

  /** For example `ml.g5.2xlarge (1 x NVIDIA A10G, 24 GiB)`. */
  public toString(): string {
    return `${this.instanceType} (${this.acceleratorCount} x ${this.acceleratorModel}, ${this.acceleratorMemoryGib} GiB)`;
  }
}

function requireWhole(prop: string, value: number, min: number, max: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new TrainyardValidationError(prop, `must be a whole number from ${min} to ${max}, got ${String(value)}.`);
  }
}

function requirePositive(prop: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new TrainyardValidationError(prop, `must be a number greater than 0, got ${String(value)}.`);
  }
}

/** The names within a small edit distance of `wanted` (or sharing its family), closest first, at most three. */
function closestMatches(wanted: string, names: string[]): string[] {
  if (wanted.length === 0) {
    return [];
  }
  const normalized = wanted.startsWith('ml.') ? wanted : `ml.${wanted}`;
  const family = normalized.split('.')[1];
  const scored = names.map((name) => ({ name, distance: editDistance(normalized, name), sameFamily: name.split('.')[1] === family }));
  return scored
    .filter((s) => s.distance <= 3 || s.sameFamily)
    .sort((a, b) => a.distance - b.distance || a.name.localeCompare(b.name))
    .slice(0, 3)
    .map((s) => s.name);
}

/** Levenshtein distance. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
