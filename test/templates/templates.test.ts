import * as fs from 'fs';
import * as path from 'path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { synthesizeTemplate, TemplateSynthesis } from '../../templates/app';
import { TEMPLATES } from '../../templates/catalog';
import { describeFindings, newApp } from '../helpers/synth';

function templatesOf(synthesis: TemplateSynthesis): Record<string, Template> {
  const manifest = JSON.parse(fs.readFileSync(path.join(synthesis.assemblyDir, 'manifest.json'), 'utf8'));
  const out: Record<string, Template> = {};
  for (const [name, artifact] of Object.entries<any>(manifest.artifacts)) {
    if (artifact.type === 'aws:cloudformation:stack') {
      out[name] = Template.fromJSON(JSON.parse(fs.readFileSync(path.join(synthesis.assemblyDir, artifact.properties.templateFile), 'utf8')));
    }
  }
  return out;
}

// Each template is synthesized once, with every compliance pack, exactly as `cdk synth` does.
const synthesized = Object.fromEntries(Object.keys(TEMPLATES).map((name) => [name, synthesizeTemplate(newApp({ template: name }))]));

describe.each(Object.keys(TEMPLATES))('template %s', (name) => {
  test('synthesizes with zero unacknowledged findings from every pack', () => {
    const synthesis = synthesized[name];
    expect(synthesis.packs).toEqual(['AwsSolutions', 'NIST.800.53.R5', 'HIPAA.Security', 'ControlTower']);
    expect(describeFindings(synthesis.report)).toEqual([]);
  });

  test('retains every stateful resource', () => {
    for (const template of Object.values(templatesOf(synthesized[name]))) {
      for (const type of ['AWS::S3::Bucket', 'AWS::KMS::Key', 'AWS::Logs::LogGroup', 'AWS::ECR::Repository', 'AWS::DynamoDB::Table']) {
        for (const resource of Object.values<any>(template.findResources(type))) {
          expect([type, resource.DeletionPolicy, resource.UpdateReplacePolicy]).toEqual([type, 'Retain', 'Retain']);
        }
      }
    }
  });

  test('is environment-agnostic: no account or region is baked in', () => {
    for (const template of Object.values(templatesOf(synthesized[name]))) {
      expect(JSON.stringify(template.toJSON())).not.toMatch(/\b\d{12}\b/);
    }
  });
});

describe('template single-team (the default)', () => {
  const stacks = templatesOf(synthesized['single-team']);
  const platform = stacks['Trainyard-Platform'];

  test('holds the isolated VPC, endpoints, rotating key and three buckets', () => {
    platform.resourceCountIs('AWS::EC2::VPC', 1);
    platform.resourceCountIs('AWS::EC2::NatGateway', 0);
    platform.resourceCountIs('AWS::EC2::InternetGateway', 0);
    platform.resourceCountIs('AWS::EC2::VPCEndpoint', 8);
    platform.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    platform.resourceCountIs('AWS::S3::Bucket', 3);
  });

  test('the platform holds one shared serverless MLflow App on mlflow/ of the artifacts bucket', () => {
    platform.resourceCountIs('AWS::SageMaker::MlflowApp', 1);
    platform.resourceCountIs('AWS::SageMaker::MlflowTrackingServer', 0);
    platform.hasResourceProperties('AWS::SageMaker::MlflowApp', {
      ModelRegistrationMode: 'AutoModelRegistrationDisabled',
      ArtifactStoreUri: { 'Fn::Join': ['', ['s3://', { Ref: Match.stringLikeRegexp('^PlatformArtifactsBucket') }, '/mlflow/']] },
    });
  });

  test('team ml has its model registry and image repository, encrypted with the platform key', () => {
    const team = stacks['Trainyard-Team-ml'];
    team.hasResourceProperties('AWS::SageMaker::ModelPackageGroup', { ModelPackageGroupName: 'ml-models' });
    team.hasResourceProperties('AWS::ECR::Repository', {
      RepositoryName: 'ml/training',
      ImageScanningConfiguration: { ScanOnPush: true },
      ImageTagMutability: 'IMMUTABLE',
      EncryptionConfiguration: { EncryptionType: 'KMS', KmsKey: { 'Fn::ImportValue': Match.stringLikeRegexp('PlatformKey') } },
    });
    for (const type of ['AWS::SageMaker::ModelPackageGroup', 'AWS::SageMaker::MlflowApp']) {
      for (const template of [team, platform]) {
        for (const resource of Object.values<any>(template.findResources(type))) {
          expect([type, resource.DeletionPolicy]).toEqual([type, 'Retain']);
        }
      }
    }
  });
});
