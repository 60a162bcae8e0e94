import { Price, PRICES, PRICE_REGION, TRAINING_PRICE_DATE, TRAINING_USD_PER_INSTANCE_HOUR, trainingPrice } from '../../src/core/prices';
import { GpuProfile } from '../../src/environment/gpu-profile';
import { DEFAULT_TRAINING_PRICES } from '../../src/metrics/flow-metrics-core';
import { gpuCatalogueEntries } from '../../src/metrics/gpu-catalogue';

describe('the one price table', () => {
  test('prices every GpuProfile of the catalogue, and GpuProfile takes its price, region and date from it', () => {
    const profiles = GpuProfile.all();
    expect(profiles.length).toBeGreaterThan(10);
    for (const profile of profiles) {
      expect([profile.instanceType, profile.onDemandHourlyUsd]).toEqual([profile.instanceType, trainingPrice(profile.instanceType)]);
      expect(profile.priceRegion).toBe(PRICE_REGION);
      expect(profile.priceDate).toBe(TRAINING_PRICE_DATE);
    }
    // The table holds nothing the catalogue does not use.
    expect(Object.keys(TRAINING_USD_PER_INSTANCE_HOUR).sort()).toEqual(profiles.map((p) => p.instanceType).sort());
  });

  test('flow metrics (core fallback and GPU catalogue entries) read the same table', () => {
    expect(DEFAULT_TRAINING_PRICES).toBe(TRAINING_USD_PER_INSTANCE_HOUR);
    for (const entry of gpuCatalogueEntries()) {
      expect(entry.pricePerHourUsd).toBe(TRAINING_USD_PER_INSTANCE_HOUR[entry.instanceType]);
    }
  });

  test('keeps the more precise us-east-1 on-demand figures (AWS Price List), including the mid-2025 P4d/P5 reduction', () => {
    expect(trainingPrice('ml.g4dn.xlarge')).toBe(0.7364);
    expect(trainingPrice('ml.p4d.24xlarge')).toBe(25.2513);
    expect(trainingPrice('ml.p5.48xlarge')).toBe(63.296);
  });

  test('refuses an instance type it does not price, naming the table', () => {
    expect(() => trainingPrice('ml.zz9.huge')).toThrow(/src\/core\/prices\.ts\) has no training price for ml\.zz9\.huge/);
  });

  test('every idle-resource price of `trainyard cost` is positive, has a unit and names its source', () => {
    const prices: Price[] = Object.values(PRICES).flatMap((p): Price[] => ('usd' in p ? [p as Price] : Object.values(p as Record<string, Price>)));
    expect(prices.length).toBeGreaterThan(8);
    for (const p of prices) {
      expect(p.usd).toBeGreaterThan(0);
      expect(p.unit.length).toBeGreaterThan(0);
      expect(p.source.length).toBeGreaterThan(10);
    }
  });
});
