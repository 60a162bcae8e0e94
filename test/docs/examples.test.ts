import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ROOT, exampleContaining, markdownExamples, runExample } from './examples';
import { Acknowledgements } from '../../src/core/acknowledgements';
import { GpuProfile } from '../../src/environment/gpu-profile';
import { TrainingEnvironment } from '../../src/environment/training-environment';
import { ComplianceReport } from '../../src/governance/compliance-report';
import { MlPlatform } from '../../src/platform/ml-platform';
import { PlatformExperimentTrackingMode } from '../../src/platform/platform-experiment-tracking-mode';
import { RunTags } from '../../src/registry/run-tags';
import { describeFindings, newApp, synthWithCompliance } from '../helpers/synth';

// The examples of README.md and docs/ run here as written (jsii-rosetta checks that they compile,
// `npx projen rosetta:extract`); these tests check what they build.

describe('README: the end-to-end example', () => {
  // GIVEN the README's example, run as written, with its `new App()` being this test's app
  const app = newApp();
  runExample(exampleContaining('README.md', 'TrainyardCompliance.apply(app)'), { overrides: { 'aws-cdk-lib': { App: function () { return app; } } } });
  // WHEN it is synthesized with the compliance packs the example applies
  const assembly = app.synth();
  const report = ComplianceReport.fromCloudAssembly(assembly.directory, true);
  const template = (name: string) => Template.fromJSON(assembly.getStackByName(name).template);

  test('synthesizes with no unacknowledged findings', () => {
    expect(describeFindings(report)).toEqual([]);
    expect(report.acknowledged.length).toBeGreaterThan(0);
  });

  test('builds the platform and a team with its pipeline and two triggers', () => {
    expect(assembly.stacks.map((s) => s.stackName).sort()).toEqual(['Trainyard-Platform', 'Trainyard-Team-fraud']);
    template('Trainyard-Platform').resourceCountIs('AWS::EC2::VPC', 1);
    const team = template('Trainyard-Team-fraud');
    team.resourceCountIs('AWS::SageMaker::Pipeline', 1);
    team.resourceCountIs('AWS::SageMaker::ModelPackageGroup', 1);
    team.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'rate(7 days)' });
    team.hasResourceProperties('AWS::Events::Rule', { EventPattern: Match.objectLike({ source: ['aws.s3'] }) });
    // The team reads the platform through SSM parameters, never an export.
    expect(JSON.stringify(team.toJSON())).not.toContain('Fn::ImportValue');
  });
});

describe('docs/registries.md examples', () => {
  // GIVEN the values the rosetta fixture declares: a platform (with the shared MLflow App, which the
  // tracking example uses), a team stack and a pipeline role
  let platformStack!: Stack;
  let teamStack!: Stack;
  const result = synthWithCompliance((app: App) => {
    platformStack = new Stack(app, 'Platform');
    teamStack = new Stack(app, 'Team');
    const platform = new MlPlatform(platformStack, 'Platform', { experimentTrackingMode: PlatformExperimentTrackingMode.TEAM_AND_SHARED });
    const pipelineRole = new iam.Role(teamStack, 'PipelineRole', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
    // The example grantee's own policy: iam.Grant writes to the role's default (inline) policy, and
    // object, version and GetAuthorizationToken permissions need wildcards. TrainingEnvironment owns
    // the real role; the registries themselves have no findings.
    const reason = 'Example grantee role of the docs test; the team environment owns the real role policy.';
    Acknowledgements.acknowledge(pipelineRole, [
      'NIST.800.53.R5-IAMNoInlinePolicy',
      'HIPAA.Security-IAMNoInlinePolicy',
      'AwsSolutions-IAM5[Resource::*]',
      'AwsSolutions-IAM5[Resource::Platform:ExportsOutputFnGetAttPlatformArtifactsBucketA3CDE2B6ArnDB73FAD9/mlflow/*]',
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sagemaker:<AWS::Region>:<AWS::AccountId>:model-package/fraud-models/*]',
    ].map((id) => ({ id, reason })));
    const values = { app, platformStack, teamStack, platform, pipelineRole };
    // WHEN the model registry, image registry and experiment tracking examples run as written
    for (const text of ['new ModelRegistry(', 'new ImageRegistry(', 'new ExperimentTracking(']) {
      runExample(exampleContaining('docs/registries.md', text), { values, thisArg: teamStack });
    }
  });

  test('have no unacknowledged findings (the example grantee role acknowledges exactly its own five)', () => {
    expect(describeFindings(result.report)).toEqual([]);
  });

  test('create what the page says', () => {
    const team = result.template(teamStack);
    team.resourceCountIs('AWS::SageMaker::ModelPackageGroup', 1);
    team.hasResourceProperties('AWS::SageMaker::ModelPackageGroup', { ModelPackageGroupName: 'fraud-models' });
    team.resourceCountIs('AWS::ECR::Repository', 1);
    team.hasResourceProperties('AWS::ECR::Repository', { RepositoryName: 'fraud/trainer' });
    const platform = result.template(platformStack);
    platform.resourceCountIs('AWS::SageMaker::MlflowApp', 1);
    platform.resourceCountIs('AWS::SageMaker::MlflowTrackingServer', 1);
    platform.hasResourceProperties('AWS::SageMaker::MlflowTrackingServer', { TrackingServerSize: 'Medium', WeeklyMaintenanceWindowStart: 'Sun:02:00' });
  });

  test('the run-tags example gives the four keys in order', () => {
    const example = exampleContaining('docs/registries.md', 'RunTags.of(');
    // The example's first statement is the call; evaluate it with the library's RunTags.
    const call = example.code.split('\n').find((line) => line.includes('RunTags.of('))!;
    const tags = new Function('RunTags', `return ${call.replace(/^const tags = /, '').replace(/;$/, '')}`)(RunTags) as Array<{ key: string }>;
    expect(tags.map((tag) => tag.key)).toEqual(['trainyard:git-sha', 'trainyard:dataset-version', 'trainyard:config-hash', 'trainyard:team']);
  });
});

describe('docs/pipelines.md: the pipeline example', () => {
  // GIVEN a real team environment, as the fixture's `team`
  const app = newApp();
  const teamStack = new Stack(app, 'Team');
  const platform = new MlPlatform(teamStack, 'Platform');
  const team = new TrainingEnvironment(teamStack, 'Fraud', { platform, teamName: 'fraud', gpu: GpuProfile.G5_2XLARGE });
  // WHEN the example runs as written
  runExample(exampleContaining('docs/pipelines.md', 'new TrainingPipeline('), { values: { app, teamStack, team, platform }, thisArg: teamStack });
  const template = Template.fromStack(teamStack);

  test('creates the pipeline with a weekly schedule and a new-data rule on the team prefix', () => {
    template.resourceCountIs('AWS::SageMaker::Pipeline', 1);
    template.resourceCountIs('AWS::Scheduler::Schedule', 1);
    template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'rate(7 days)' });
    template.hasResourceProperties('AWS::Events::Rule', { EventPattern: Match.objectLike({ source: ['aws.s3'] }) });
    expect(JSON.stringify(template.findResources('AWS::Events::Rule'))).toContain('transactions/');
  });
});

test('every example of README.md and docs/ is a ts block rosetta compiles (none hidden in another fence)', () => {
  const files = ['README.md', ...fs.readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
  const count = files.reduce((n, f) => n + markdownExamples(f).length, 0);
  expect(count).toBeGreaterThanOrEqual(15);
  for (const file of files) {
    const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
    // A `tsx`, `js` or `javascript` fence would escape rosetta; TypeScript examples use ```ts.
    expect({ file, fences: text.match(/^```(tsx|js|javascript|typescript)\b/gm) ?? [] }).toEqual({ file, fences: [] });
  }
});
