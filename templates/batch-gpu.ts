import { App, Stack } from 'aws-cdk-lib';
import { addPlatformStack, importPlatform, stackPrefix } from './platform';
import { GpuBatchCompute } from '../src/environment/gpu-batch-compute';
import { GpuProfile } from '../src/environment/gpu-profile';

/**
 * `batch-gpu`: the shared platform, prepared for AWS Batch (`batchCompute: true`: the ECS endpoints
 * and the key statements Batch instances and job logs need, granted once for every team), and one
 * team that runs training containers on scale-to-zero AWS Batch GPU compute (G5 2xlarge, Spot)
 * instead of SageMaker jobs. The team stack reads the platform through its SSM parameters.
 *
 * Stacks are environment-agnostic, so the template synthesizes with no AWS account or credentials.
 */
export function batchGpu(app: App): Stack[] {
  const { platformStack } = addPlatformStack(app, 'batch-gpu', { batchCompute: true });

  const teamStack = new Stack(app, `${stackPrefix(app)}-Team-Vision`, {
    description: 'Trainyard team vision: AWS Batch GPU compute (Spot, scales to zero), job queue and job definition',
  });
  new GpuBatchCompute(teamStack, 'GpuBatch', {
    platform: importPlatform(teamStack, platformStack),
    teamName: 'vision',
    costCenter: 'cc-vision',
    gpu: GpuProfile.G5_2XLARGE,
  });
  return [platformStack, teamStack];
}
