// The GpuProfile catalogue as the utilization maths reads it (GPU count, memory per GPU, CUDA
// compute capability, reference price). The catalogue is the single source of these facts; this
// file only reshapes it. It reads the catalogue's plain data, not GpuProfile (which loads
// aws-cdk-lib), so the trainyard CLI bundle stays small; the construct passes `GpuProfile.all()`
// and the collector gets the entries in its environment (`encodeGpuCatalogue`).
import { GpuCatalogueEntry } from './gpu-utilization';
import type { GpuProfileProps } from '../environment/gpu-profile';
import { GPU_CATALOGUE, isNvidiaModel } from '../environment/private/gpu-catalogue-data';

/** What an entry needs of a profile: a `GpuProfile` or the catalogue's props. */
export type CatalogueProfile = Pick<GpuProfileProps,
'instanceType' | 'acceleratorModel' | 'acceleratorCount' | 'acceleratorMemoryGib' | 'vcpus' | 'cudaComputeCapability' | 'multiNodeSupported' | 'onDemandHourlyUsd'>;

/**
 * The entries of `profiles` (default: the whole GpuProfile catalogue), with `prices` (USD per
 * instance-hour by instance type) overriding the reference prices.
 */
export function gpuCatalogueEntries(
  profiles: readonly CatalogueProfile[] = Object.values(GPU_CATALOGUE),
  prices: { readonly [instanceType: string]: number } = {},
): GpuCatalogueEntry[] {
  return profiles.map((p) => ({
    instanceType: p.instanceType,
    gpuCount: p.acceleratorCount,
    gpuMemoryGib: p.acceleratorMemoryGib / p.acceleratorCount,
    vcpus: p.vcpus,
    computeCapability: p.cudaComputeCapability,
    nvidia: isNvidiaModel(p.acceleratorModel),
    multiNode: p.multiNodeSupported ?? true,
    pricePerHourUsd: prices[p.instanceType] ?? p.onDemandHourlyUsd,
  }));
}
