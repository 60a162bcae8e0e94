import { Stack, Tags } from 'aws-cdk-lib';
import { GpuProfile } from '../../src/environment/gpu-profile';
import { TrainingEnvironment } from '../../src/environment/training-environment';
import { FlowMetrics } from '../../src/metrics/flow-metrics';
import { MlPlatform } from '../../src/platform/ml-platform';
import { describeFindings, synthWithCompliance } from '../helpers/synth';

// A fixture app: the single-team template (platform stack + team stack with a real
// TrainingEnvironment) plus FlowMetrics in the platform stack, exactly as proposed for templates/single-team.ts.
describe('single-team layout with FlowMetrics in the platform stack', () => {
  let platformStack!: Stack;
  let teamStack!: Stack;
  let flow!: FlowMetrics;
  const result = synthWithCompliance((app) => {
    platformStack = new Stack(app, 'Trainyard-Platform');
    const platform = new MlPlatform(platformStack, 'Platform', { maxAzs: 2 });
    teamStack = new Stack(app, 'Trainyard-Team-ml');
    const team = new TrainingEnvironment(teamStack, 'Ml', { platform, teamName: 'ml', gpu: GpuProfile.G5_2XLARGE, monthlyBudgetUsd: 1000 });
    flow = new FlowMetrics(platformStack, 'FlowMetrics', { platform, environments: [team] });
    Tags.of(app).add('trainyard:template', 'single-team');
  });

  test('synthesizes with zero unacknowledged findings from every pack (MlOpsChecks included)', () => {
    expect(describeFindings(result.report)).toEqual([]);
  });

  test('the platform stack does not depend on the team stack', () => {
    expect(platformStack.dependencies).toEqual([]);
    expect(teamStack.dependencies.map((s) => s.stackName)).toEqual(['Trainyard-Platform']);
    expect(flow.teamNames).toEqual(['ml']);
  });

  test('the platform stack has the DynamoDB gateway endpoint the collector uses (ten endpoints in all, with S3 and MLflow)', () => {
    result.template(platformStack).resourceCountIs('AWS::EC2::VPCEndpoint', 10);
  });
});
