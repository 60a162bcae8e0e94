import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { GpuBatchCompute } from '../../src/environment/gpu-batch-compute';
import { GpuProfile } from '../../src/environment/gpu-profile';
import { TrainingEnvironment } from '../../src/environment/training-environment';
import { TrainingStudio } from '../../src/environment/training-studio';
import { DriftMonitor } from '../../src/pipeline/drift-monitor';
import { StandardTrainingRecipe } from '../../src/pipeline/standard-training-recipe';
import { TrainingPipeline } from '../../src/pipeline/training-pipeline';
import { MlPlatform } from '../../src/platform/ml-platform';
import { ModelRegistry } from '../../src/registry/model-registry';
import { describeFindings, newApp, synthWithCompliance } from '../helpers/synth';

/** SageMaker names: `[a-zA-Z0-9](-*[a-zA-Z0-9])*`. */
const SAGEMAKER = /^[a-zA-Z0-9](-*[a-zA-Z0-9])*$/;

/** The physical-name properties Trainyard sets, with each service's length limit and pattern. */
const NAME_RULES: Array<{ type: string; property: string; maxLength: number; pattern: RegExp }> = [
  { type: 'AWS::SageMaker::Pipeline', property: 'PipelineName', maxLength: 256, pattern: SAGEMAKER },
  { type: 'AWS::SageMaker::DataQualityJobDefinition', property: 'JobDefinitionName', maxLength: 63, pattern: SAGEMAKER },
  { type: 'AWS::SageMaker::MonitoringSchedule', property: 'MonitoringScheduleName', maxLength: 63, pattern: SAGEMAKER },
  { type: 'AWS::SageMaker::Domain', property: 'DomainName', maxLength: 63, pattern: SAGEMAKER },
  { type: 'AWS::SageMaker::ModelPackageGroup', property: 'ModelPackageGroupName', maxLength: 63, pattern: SAGEMAKER },
  { type: 'AWS::Logs::LogGroup', property: 'LogGroupName', maxLength: 512, pattern: /^[.\-_/#A-Za-z0-9]+$/ },
  { type: 'AWS::IAM::Role', property: 'RoleName', maxLength: 64, pattern: /^[\w+=,.@-]+$/ },
  { type: 'AWS::S3::Bucket', property: 'BucketName', maxLength: 63, pattern: /^[a-z0-9][a-z0-9.-]*[a-z0-9]$/ },
  { type: 'AWS::ECR::Repository', property: 'RepositoryName', maxLength: 256, pattern: /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/ },
  { type: 'AWS::Batch::ComputeEnvironment', property: 'ComputeEnvironmentName', maxLength: 128, pattern: /^[A-Za-z0-9_-]+$/ },
  { type: 'AWS::Batch::JobQueue', property: 'JobQueueName', maxLength: 128, pattern: /^[A-Za-z0-9_-]+$/ },
];

/** Every literal physical name of `template` that NAME_RULES covers, as `type name`. */
function literalNames(template: Template): Array<{ type: string; name: string; maxLength: number; pattern: RegExp }> {
  const out: Array<{ type: string; name: string; maxLength: number; pattern: RegExp }> = [];
  for (const rule of NAME_RULES) {
    for (const resource of Object.values<any>(template.findResources(rule.type))) {
      const name = resource.Properties?.[rule.property];
      if (typeof name === 'string') out.push({ type: rule.type, name, maxLength: rule.maxLength, pattern: rule.pattern });
    }
  }
  return out;
}

// The longest legal team name (32 characters) with the longest construct ids and endpoint names.
const TEAM = 'computer-vision-research-team-42';
const LONG_ID = `Nightly${'RetrainingOfTheObjectDetectorOnFreshlyLabelledImages'.repeat(5)}`; // 267 characters
const ENDPOINT_A = `object-detector-production-eu-central-${'a'.repeat(24)}`; // 63 characters
const ENDPOINT_B = `object-detector-production-eu-central-${'b'.repeat(24)}`;

describe('names derived from the longest team names, construct ids and endpoint names stay within service limits', () => {
  let teamStack!: Stack;
  let pipelines!: TrainingPipeline[];
  const result = synthWithCompliance((app: App) => {
    const platformStack = new Stack(app, 'Trainyard-Platform');
    const platform = new MlPlatform(platformStack, 'Platform', { maxAzs: 2, batchCompute: true });
    teamStack = new Stack(app, 'Trainyard-Team-Long');
    const models = new ModelRegistry(teamStack, 'Models', { groupName: ModelRegistry.groupNameForTeam(TEAM), encryptionKey: platform.encryptionKey });
    const team = new TrainingEnvironment(teamStack, 'Env', {
      platform,
      teamName: TEAM,
      gpu: GpuProfile.G5_2XLARGE,
      monthlyBudgetUsd: 1000,
      modelPackageGroupName: models.modelPackageGroupName,
      costCenter: 'vision-research',
    });
    // Two pipelines whose default names (`<team>-<id>`, 300 characters) share their first 256 characters.
    pipelines = ['A', 'B'].map((suffix) => new TrainingPipeline(teamStack, `${LONG_ID}${suffix}`, {
      environment: team,
      definition: StandardTrainingRecipe.create({ environment: team, scope: teamStack }),
    }));
    new TrainingStudio(teamStack, 'Studio', { platform, teamName: TEAM });
    new GpuBatchCompute(teamStack, 'Batch', { platform, teamName: TEAM, gpu: GpuProfile.G5_2XLARGE, costCenter: 'vision-research' });
  });
  const template = result.template(teamStack);

  test('synthesizes with zero unacknowledged findings from every pack', () => {
    expect(describeFindings(result.report)).toEqual([]);
  });

  test('every literal physical name is within its limit and matches its service pattern', () => {
    const names = literalNames(template);
    expect(new Set(names.map((n) => n.type))).toEqual(new Set([
      'AWS::SageMaker::Pipeline', 'AWS::SageMaker::Domain', 'AWS::SageMaker::ModelPackageGroup', 'AWS::Logs::LogGroup', 'AWS::ECR::Repository',
    ]));
    const problems = names.filter((n) => n.name.length > n.maxLength || !n.pattern.test(n.name)).map((n) => `${n.type} ${n.name} (${n.name.length})`);
    expect(problems).toEqual([]);
  });

  test('the two long pipelines get distinct names of 120 characters (the experiment named after them) that start with the team', () => {
    const names = pipelines.map((p) => p.pipelineName);
    expect(new Set(names).size).toBe(2);
    for (const name of names) {
      expect(name).toHaveLength(120);
      expect(name).toMatch(/^computer-vision-research-team-42-nightlyretrainingoftheobjectdetector.*-[0-9a-f]{8}$/);
    }
  });

  test('the names that fit keep their plain form', () => {
    expect(ModelRegistry.groupNameForTeam(TEAM)).toBe(`${TEAM}-models`);
    template.hasResourceProperties('AWS::SageMaker::Domain', { DomainName: `trainyard-${TEAM}` });
    template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: `/trainyard/${TEAM}/batch` });
  });
});

describe('drift monitors of the longest team name on 63-character endpoint names with a common start', () => {
  // Synthesized without the compliance packs: on the GPU environment's job defaults the data-quality
  // job has no volume key (MlOps-SageMakerJobStorageEncrypted), which is not what this checks.
  const stack = new Stack(newApp(), 'Trainyard-Team-Long');
  const platform = new MlPlatform(stack, 'Platform', { maxAzs: 2 });
  const team = new TrainingEnvironment(stack, 'Env', { platform, teamName: TEAM, gpu: GpuProfile.G5_2XLARGE });
  const monitors = [ENDPOINT_A, ENDPOINT_B].map((endpointName, i) => new DriftMonitor(stack, `Drift${i}`, { environment: team, endpointName, features: ['width'] }));
  const template = Template.fromStack(stack);

  test('job definition and schedule names are within 63 characters, match the SageMaker pattern and are distinct', () => {
    const names = literalNames(template).filter((n) => /DataQualityJobDefinition|MonitoringSchedule/.test(n.type));
    expect(names).toHaveLength(4);
    for (const n of names) {
      expect(n.name.length).toBeLessThanOrEqual(63);
      expect(n.name).toMatch(SAGEMAKER);
    }
    expect(new Set(names.map((n) => n.name)).size).toBe(4);
  });

  test('the shortened names keep the team, the start of the endpoint and their suffix', () => {
    const jobNames = Object.values<any>(template.findResources('AWS::SageMaker::DataQualityJobDefinition')).map((r) => r.Properties.JobDefinitionName);
    for (const name of jobNames) expect(name).toMatch(/^computer-vision-research-team-42-object-d-[0-9a-f]{8}-data-quality$/);
    for (const m of monitors) expect(m.monitoringScheduleName).toMatch(/^computer-vision-research-team-42-object-detector-[0-9a-f]{8}-drift$/);
  });
});

describe('ModelRegistry.groupNameForTeam past 63 characters', () => {
  test('shortens the name with a hash, keeping the SageMaker pattern and distinct names', () => {
    const a = ModelRegistry.groupNameForTeam(`${'a'.repeat(60)}-one`);
    const b = ModelRegistry.groupNameForTeam(`${'a'.repeat(60)}-two`);
    expect(a).not.toBe(b);
    for (const name of [a, b]) {
      expect(name.length).toBeLessThanOrEqual(63);
      expect(name).toMatch(SAGEMAKER);
    }
  });
});
