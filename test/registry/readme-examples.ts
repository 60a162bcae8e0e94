// The README's registry examples, verbatim between the README markers: readme-examples.test.ts checks
// that README.md contains each block exactly and synthesizes them, and `typecheck` compiles them.
import { App, Stack } from 'aws-cdk-lib';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Acknowledgements } from '../../src/core/acknowledgements';
import { MlPlatform } from '../../src/platform/ml-platform';
import { PlatformExperimentTrackingMode } from '../../src/platform/platform-experiment-tracking-mode';
import { ExperimentTracking, TrackingServerSize } from '../../src/registry/experiment-tracking';
import { ImageRegistry } from '../../src/registry/image-registry';
import { ModelRegistry } from '../../src/registry/model-registry';
import { RunTags } from '../../src/registry/run-tags';

/** What the examples build on: a platform stack and a team stack with a pipeline role. */
export interface ExampleContext {
  readonly platformStack: Stack;
  readonly teamStack: Stack;
  readonly platform: MlPlatform;
  readonly pipelineRole: iam.Role;
}

export function exampleContext(app: App): ExampleContext {
  const platformStack = new Stack(app, 'Platform');
  const teamStack = new Stack(app, 'Team');
  const platform = new MlPlatform(platformStack, 'Platform', { experimentTrackingMode: PlatformExperimentTrackingMode.TEAM_AND_SHARED });
  const pipelineRole = new iam.Role(teamStack, 'PipelineRole', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
  // The example grantee's own policy: iam.Grant writes to the role's default (inline) policy, and
  // object, version and GetAuthorizationToken permissions need wildcards. TrainingEnvironment owns
  // the real role and decides how it holds these statements; the registries themselves have no findings.
  const reason = 'Example grantee role of the README test; the team environment owns the real role policy.';
  Acknowledgements.acknowledge(pipelineRole, [
    'NIST.800.53.R5-IAMNoInlinePolicy',
    'HIPAA.Security-IAMNoInlinePolicy',
    'AwsSolutions-IAM5[Resource::*]',
    'AwsSolutions-IAM5[Resource::Platform:ExportsOutputFnGetAttPlatformArtifactsBucketA3CDE2B6ArnDB73FAD9/mlflow/*]',
    'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sagemaker:<AWS::Region>:<AWS::AccountId>:model-package/fraud-models/*]',
  ].map((id) => ({ id, reason })));
  return { platformStack, teamStack, platform, pipelineRole };
}

export function modelRegistryExample({ teamStack, platform, pipelineRole }: ExampleContext) {
  // README:model-registry:start
  const models = new ModelRegistry(teamStack, 'Models', {
    groupName: 'fraud-models',
    description: 'Fraud detection models',
    encryptionKey: platform.encryptionKey, // the key of the model artifacts
    crossAccountReadAccounts: ['111122223333'], // may describe and list versions, nothing else
  });
  models.grantRegister(pipelineRole);
  const approvals = new sns.Topic(teamStack, 'Approvals', { enforceSSL: true, masterKey: platform.encryptionKey });
  models.onApproved('NotifyOnApproval', { target: new targets.SnsTopic(approvals) });
  // README:model-registry:end
  return models;
}

export function imageRegistryExample({ teamStack, platform, pipelineRole }: ExampleContext) {
  // README:image-registry:start
  const images = new ImageRegistry(teamStack, 'Images', {
    repositoryName: 'fraud/trainer',
    encryptionKey: platform.encryptionKey,
    maxTaggedImages: 200, // untagged images expire after 14 days
    crossAccountPullAccounts: ['111122223333'],
  });
  images.grantPull(pipelineRole);
  // README:image-registry:end
  return images;
}

export function experimentTrackingExample({ platformStack, platform, pipelineRole }: ExampleContext) {
  // README:experiment-tracking:start
  // Each TrainingEnvironment has its own serverless MLflow App (team.experimentTracking, artifacts
  // under <team>/mlflow/); the team's roles get access automatically, no other team's do. A platform
  // created with experimentTrackingMode: PlatformExperimentTrackingMode.TEAM_AND_SHARED also has one organisation-wide App (every team on it
  // can read and delete every team's runs); give another role access to it:
  platform.experimentTracking!.grantAccess(pipelineRole);

  // Or run a dedicated tracking server (billed by the hour) with its own prefix:
  const dedicated = new ExperimentTracking(platformStack, 'DedicatedTracking', {
    trackingName: 'fraud-mlflow',
    dedicatedServer: { size: TrackingServerSize.MEDIUM },
    artifactsBucket: platform.artifactsBucket,
    artifactsPrefix: 'mlflow-fraud/',
    encryptionKey: platform.encryptionKey,
    weeklyMaintenanceWindowStart: 'Sun:02:00',
  });
  // MLflow clients: mlflow.set_tracking_uri(<dedicated.trackingUri>) with the sagemaker-mlflow plugin.
  // README:experiment-tracking:end
  return dedicated;
}

export function runTagsExample() {
  // README:run-tags:start
  const tags = RunTags.of({ gitSha: 'a1b2c3d', datasetVersion: '2024-05-01', configHash: '9f8e7d6c', teamName: 'fraud' });
  // [{ key: 'trainyard:git-sha', value: 'a1b2c3d' }, { key: 'trainyard:dataset-version', ... }, ...]
  // README:run-tags:end
  return tags;
}
