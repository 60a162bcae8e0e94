// The GpuProfile catalogue as the utilization maths reads it (GPU count, memory per GPU, CUDA
// compute capability, reference price). The catalogue is the single source of these facts; this
// file only reshapes it. Not bundled into the collector (GpuProfile depends on aws-cdk-lib): the
// construct passes the entries to the collector in its environment (`encodeGpuCatalogue`).
import { GpuCatalogueEntry } from './gpu-utilization';
import { GpuProfile } from '../environment/gpu-profile';

/**
 * The entries of `profiles` (default: the whole catalogue), with `prices` (USD per instance-hour by
 * instance type) overriding the reference prices.
 */
export function gpuCatalogueEntries(
  profiles: readonly GpuProfile[] = GpuProfile.all(),
  prices: { readonly [instanceType: string]: number } = {},
): GpuCatalogueEntry[] {
  return profiles.map((p) => ({
    instanceType: p.instanceType,
    gpuCount: p.acceleratorCount,
    gpuMemoryGib: p.acceleratorMemoryGibPerAccelerator,
    vcpus: p.vcpus,
    computeCapability: p.cudaComputeCapability,
    nvidia: p.isNvidiaGpu,
    multiNode: p.multiNodeSupported,
    pricePerHourUsd: prices[p.instanceType] ?? p.onDemandHourlyUsd,
  }));
}
