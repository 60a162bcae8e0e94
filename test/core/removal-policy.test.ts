import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { TrainyardKey } from '../../src/core/trainyard-key';
import { GpuBatchCompute } from '../../src/environment/gpu-batch-compute';
import { GpuProfile } from '../../src/environment/gpu-profile';
import { TrainingEnvironment } from '../../src/environment/training-environment';
import { TrainingStudio } from '../../src/environment/training-studio';
import { PlatformAuditTrail } from '../../src/governance/platform-audit-trail';
import { FlowMetrics } from '../../src/metrics/flow-metrics';
import { MlPlatform } from '../../src/platform/ml-platform';
import { ExperimentTracking } from '../../src/registry/experiment-tracking';
import { ImageRegistry } from '../../src/registry/image-registry';
import { ModelRegistry } from '../../src/registry/model-registry';

// Every construct with a `removalPolicy` prop goes through the one check (requireRemovalPolicy): a
// value that is not a RemovalPolicy fails at synth naming `<Construct>.removalPolicy` and the allowed values.
describe('every stateful construct checks its removalPolicy the same way', () => {
  const stack = new Stack(new App(), 'S');
  const platform = new MlPlatform(stack, 'Platform', { experimentTracking: false, batchCompute: true });
  const logs = s3.Bucket.fromBucketName(stack, 'Logs', 'logs');
  const bad = 'delete' as RemovalPolicy;
  let n = 0;
  const id = () => `C${n++}`;

  test.each<[string, (removalPolicy: RemovalPolicy) => unknown]>([
    ['MlPlatform', (removalPolicy) => new MlPlatform(stack, id(), { removalPolicy })],
    ['TrainingEnvironment', (removalPolicy) => new TrainingEnvironment(stack, id(), { platform, teamName: 'fraud', gpu: GpuProfile.G5_2XLARGE, removalPolicy })],
    ['GpuBatchCompute', (removalPolicy) => new GpuBatchCompute(stack, id(), { platform, teamName: 'fraud', gpu: GpuProfile.G5_XLARGE, command: ['python', 'train.py'], removalPolicy })],
    ['TrainingStudio', (removalPolicy) => new TrainingStudio(stack, id(), { platform, removalPolicy })],
    ['FlowMetrics', (removalPolicy) => new FlowMetrics(stack, id(), { platform, teamNames: ['fraud'], removalPolicy })],
    ['PlatformAuditTrail', (removalPolicy) => new PlatformAuditTrail(stack, id(), { accessLogsBucket: logs, removalPolicy })],
    ['ModelRegistry', (removalPolicy) => new ModelRegistry(stack, id(), { groupName: 'fraud-models', removalPolicy })],
    ['ImageRegistry', (removalPolicy) => new ImageRegistry(stack, id(), { removalPolicy })],
    ['ExperimentTracking', (removalPolicy) => new ExperimentTracking(stack, id(), { accessLogsBucket: logs, removalPolicy })],
    ['TrainyardKey', (removalPolicy) => new TrainyardKey(stack, id(), { description: 'k', removalPolicy })],
  ])('%s', (construct, make) => {
    expect(() => make(bad)).toThrow(
      `${construct}.removalPolicy: must be a RemovalPolicy (destroy, retain, snapshot, retain-on-update-or-delete), got 'delete'.`);
  });
});
