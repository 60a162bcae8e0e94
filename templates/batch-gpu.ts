import { App, Stack, Tags } from 'aws-cdk-lib';
import { GpuBatchCompute } from '../src/environment/gpu-batch-compute';
import { GpuProfile } from '../src/environment/gpu-profile';
import { MlPlatform } from '../src/platform/ml-platform';

/**
 * `batch-gpu`: the shared platform, and one team that runs training containers on scale-to-zero
 * AWS Batch GPU compute (G5 2xlarge, Spot) instead of SageMaker jobs.
 *
 * Stacks are environment-agnostic, so the template synthesizes with no AWS account or credentials.
 */
export function batchGpu(app: App): Stack[] {
  const prefix = String(app.node.tryGetContext('stackPrefix') ?? 'Trainyard');
  const platformStack = new Stack(app, `${prefix}-Platform`, {
    description: 'Trainyard shared ML platform: isolated VPC, endpoints, KMS key, datasets and artifacts buckets',
  });
  const platform = new MlPlatform(platformStack, 'Platform', { maxAzs: 2, batchCompute: true });

  const teamStack = new Stack(app, `${prefix}-Team-Vision`, {
    description: 'Trainyard team vision: AWS Batch GPU compute (Spot, scales to zero), job queue and job definition',
  });
  new GpuBatchCompute(teamStack, 'GpuBatch', {
    platform,
    teamName: 'vision',
    costCenter: 'cc-vision',
    gpu: GpuProfile.G5_2XLARGE,
  });
  Tags.of(app).add('trainyard:template', 'batch-gpu');
  return [platformStack, teamStack];
}
