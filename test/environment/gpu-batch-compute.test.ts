import { Stack } from 'aws-cdk-lib';
import { GpuBatchCompute } from '../../src/environment/gpu-batch-compute';
import { GpuProfile } from '../../src/environment/gpu-profile';
import { MlPlatform } from '../../src/platform/ml-platform';
import { describeFindings, synthWithCompliance } from '../helpers/synth';

describe('GpuBatchCompute probe', () => {
  let stack!: Stack;
  const result = synthWithCompliance((app) => {
    const platformStack = new Stack(app, 'Platform');
    const platform = new MlPlatform(platformStack, 'Platform');
    stack = new Stack(app, 'Team');
    new GpuBatchCompute(stack, 'Batch', { platform, teamName: 'fraud', gpu: GpuProfile.G5_12XLARGE, maxInstanceCount: 2 });
  });
  const template = result.template(stack);
  test('no findings', () => {
    expect(describeFindings(result.report)).toEqual([]);
  });
  test('dump', () => { require('fs').writeFileSync('/tmp/batch-template.json', JSON.stringify(template.toJSON(), null, 1)); });
});
