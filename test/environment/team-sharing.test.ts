import { Stack } from 'aws-cdk-lib';
import { ExperimentTrackingMode } from '../../src/environment/experiment-tracking-mode';
import { GpuProfile } from '../../src/environment/gpu-profile';
import { TrainingEnvironment } from '../../src/environment/training-environment';
import { MlPlatform } from '../../src/platform/ml-platform';
import { PlatformExperimentTrackingMode } from '../../src/platform/platform-experiment-tracking-mode';
import { describeFindings, newApp, synthWithCompliance } from '../helpers/synth';

describe('explicit sharing between teams, granted in the owner\'s stack', () => {
  // GIVEN a platform stack and teams fraud and forecasting in stacks of their own; fraud shares its
  // feature datasets, its models and its images with forecasting, synthesized once with every pack
  let fraudStack!: Stack;
  let forecastingStack!: Stack;
  let fraud!: TrainingEnvironment;
  let forecasting!: TrainingEnvironment;
  const grants: Record<string, any> = {};
  const result = synthWithCompliance((app) => {
    const platform = new MlPlatform(new Stack(app, 'Platform'), 'Platform');
    fraudStack = new Stack(app, 'TeamFraud');
    forecastingStack = new Stack(app, 'TeamForecasting');
    fraud = new TrainingEnvironment(fraudStack, 'Fraud', { platform, teamName: 'fraud', gpu: GpuProfile.G5_2XLARGE });
    forecasting = new TrainingEnvironment(forecastingStack, 'Forecasting', { platform, teamName: 'forecasting', gpu: GpuProfile.G5_2XLARGE });
    grants.datasets = fraud.grantDatasetRead(forecasting, 'features/');
    grants.moreDatasets = fraud.grantDatasetRead(forecasting, 'labels/');
    grants.models = fraud.grantModelRead(forecasting);
    grants.images = fraud.grantImagePull(forecasting);
  });
  const fraudTemplate = result.template(fraudStack);
  const policies = Object.entries<any>(fraudTemplate.findResources('AWS::IAM::ManagedPolicy')).filter(([id]) => id.startsWith('FraudShare'));
  const byId = (prefix: string) => policies.find(([id]) => id.startsWith(prefix))![1];

  test('has no unacknowledged compliance findings from any pack', () => {
    expect(describeFindings(result.report)).toEqual([]);
  });

  test('each kind is one managed policy in fraud\'s stack, attached to forecasting\'s execution role only', () => {
    expect(policies.map(([id]) => id.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual(['FraudShareDatasetsWithForecasting', 'FraudShareImagesWithForecasting', 'FraudShareModelsWithForecasting']);
    for (const [, policy] of policies) {
      expect(policy.Properties.Roles).toEqual([{ 'Fn::ImportValue': expect.stringMatching(/^TeamForecasting:ExportsOutputRefForecastingExecutionRole/) }]);
      expect(policy.Properties.Description).toMatch(/^Trainyard fraud shares .* with team forecasting/);
    }
    // The other team's stack holds nothing of the grant: the owner owns it.
    expect(JSON.stringify(result.template(forecastingStack).toJSON())).not.toMatch(/Share(Datasets|Models|Images)/);
    for (const grant of Object.values(grants)) expect(grant.success).toBe(true);
  });

  test('datasets: read (no write) under fraud/features/ and fraud/labels/ only, list those prefixes, decrypt through S3 only', () => {
    const statements = byId('FraudShareDatasetsWithForecasting').Properties.PolicyDocument.Statement;
    // The second grant's decrypt statement is the first's: the policy keeps it once.
    expect(statements.map((s: any) => s.Sid)).toEqual([
      'ReadSharedDatasets', 'ListSharedDatasets', 'DecryptSharedDatasetsThroughS3', 'ReadSharedDatasets2', 'ListSharedDatasets2',
    ]);
    expect(JSON.stringify(statements[0].Resource)).toMatch(/DatasetsBucket.*"\/fraud\/features\/\*"/);
    expect(JSON.stringify(statements[3].Resource)).toMatch(/DatasetsBucket.*"\/fraud\/labels\/\*"/);
    expect(statements[0].Action).toEqual(['s3:GetObject', 's3:GetObjectTagging', 's3:GetObjectVersion']);
    expect(statements[1].Condition).toEqual({ StringLike: { 's3:prefix': ['fraud/features/*'] } });
    expect(statements[2].Condition.StringEquals['kms:ViaService']).toBeDefined();
  });

  test('models: describe the fraud-models group, its versions, and read fraud/artifacts/; images: pull fraud/training only', () => {
    const models = byId('FraudShareModelsWithForecasting').Properties.PolicyDocument.Statement;
    expect(JSON.stringify(models[0].Resource)).toMatch(/:model-package-group\/fraud-models"/);
    expect(JSON.stringify(models[1].Resource)).toMatch(/:model-package\/fraud-models\/\*"/);
    expect(JSON.stringify(models[2].Resource)).toMatch(/ArtifactsBucket.*"\/fraud\/artifacts\/\*"/);
    const images = byId('FraudShareImagesWithForecasting').Properties.PolicyDocument.Statement;
    expect(images[0].Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^FraudImagesRepository/), 'Arn'] });
    expect(images[0].Action).toEqual(['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer']);
  });
});

describe('sharing refuses what it cannot grant', () => {
  const stack = new Stack(newApp(), 'S');
  const platform = new MlPlatform(stack, 'Platform', { experimentTrackingMode: PlatformExperimentTrackingMode.NONE });
  const a = new TrainingEnvironment(stack, 'A', { platform, teamName: 'alpha', gpu: GpuProfile.G5_2XLARGE });
  const bare = new TrainingEnvironment(stack, 'B', { platform, teamName: 'bravo', gpu: GpuProfile.G5_2XLARGE, createRegistries: false, experimentTrackingMode: ExperimentTrackingMode.NONE });

  test.each([
    [() => a.grantDatasetRead(a), /^TrainingEnvironment.grantDatasetRead\(other\): is team alpha itself/],
    [() => a.grantDatasetRead(bare, 'features'), /^TrainingEnvironment.grantDatasetRead\(prefix\): must be a key prefix .* got 'features'/],
    [() => a.grantDatasetRead(bare, 'x/*/'), /^TrainingEnvironment.grantDatasetRead\(prefix\): must be a key prefix/],
    [() => bare.grantModelRead(a), /^TrainingEnvironment.grantModelRead: team bravo has no model registry to share/],
    [() => bare.grantImagePull(a), /^TrainingEnvironment.grantImagePull: team bravo has no image repository to share/],
    [() => a.grantImagePull(undefined as any), /^TrainingEnvironment.grantImagePull\(other\): must be another team's training environment/],
  ])('case %#', (call, message) => {
    expect(call).toThrow(message);
  });
});
