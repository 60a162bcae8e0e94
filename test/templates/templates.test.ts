import * as fs from 'fs';
import * as path from 'path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { synthesizeTemplate, TemplateSynthesis } from '../../templates/app';
import { TEMPLATES } from '../../templates/catalog';
import { REFRESH_MANIFEST_COMMAND, STATEFUL_TYPES } from '../helpers/stateful';
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
    expect(synthesis.packs).toEqual(['AwsSolutions', 'NIST.800.53.R5', 'HIPAA.Security', 'ControlTower', 'MlOps']);
    expect(describeFindings(synthesis.report)).toEqual([]);
  });

  test('retains every stateful resource on delete and on replace', () => {
    const notRetained: string[] = [];
    for (const [stack, template] of Object.entries(templatesOf(synthesized[name]))) {
      for (const type of STATEFUL_TYPES) {
        for (const [id, resource] of Object.entries<any>(template.findResources(type))) {
          if (resource.DeletionPolicy !== 'Retain' || resource.UpdateReplacePolicy !== 'Retain') {
            notRetained.push(`${stack}/${id} (${type}): DeletionPolicy=${resource.DeletionPolicy}, UpdateReplacePolicy=${resource.UpdateReplacePolicy}`);
          }
        }
      }
    }
    expect(notRetained).toEqual([]);
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
    platform.resourceCountIs('AWS::EC2::VPCEndpoint', 9); // S3 and DynamoDB gateways, seven interface endpoints
    platform.resourceCountIs('AWS::DynamoDB::Table', 1);
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

  test('holds team ml in its own stack: role, security group, budget on the team tag', () => {
    expect(Object.keys(stacks).sort()).toEqual(['Trainyard-Platform', 'Trainyard-Team-ml']);
    const team = stacks['Trainyard-Team-ml'];
    team.resourceCountIs('AWS::IAM::Role', 1);
    team.resourceCountIs('AWS::EC2::SecurityGroup', 1);
    team.hasResourceProperties('AWS::Budgets::Budget', {
      Budget: { BudgetLimit: { Amount: 1000, Unit: 'USD' }, CostFilters: { TagKeyValue: ['user:trainyard:team$ml'] } },
    });
    team.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
  });
});

describe('template batch-gpu', () => {
  const stacks = templatesOf(synthesized['batch-gpu']);
  const platform = stacks['Trainyard-Platform'];
  const team = stacks['Trainyard-Team-Vision'];

  test('the platform gains the ECS endpoints Batch needs in the isolated VPC', () => {
    // 7 training endpoints + ecs, ecs-agent, ecs-telemetry, plus the S3 gateway endpoint.
    platform.resourceCountIs('AWS::EC2::VPCEndpoint', 11);
  });

  test('the team stack holds scale-to-zero Spot GPU compute for g5.2xlarge, a queue and a GPU job definition', () => {
    team.hasResourceProperties('AWS::Batch::ComputeEnvironment', {
      ComputeResources: Match.objectLike({
        MinvCpus: 0, MaxvCpus: 8, Type: 'SPOT', AllocationStrategy: 'SPOT_PRICE_CAPACITY_OPTIMIZED', InstanceTypes: ['g5.2xlarge'],
      }),
    });
    team.resourceCountIs('AWS::Batch::JobQueue', 1);
    team.hasResourceProperties('AWS::Batch::JobDefinition', {
      ContainerProperties: Match.objectLike({ ResourceRequirements: Match.arrayWith([{ Type: 'GPU', Value: '1' }]) }),
    });
  });
});

describe('stateful logical ids do not drift', () => {
  // The committed manifest lists the logical id of every stateful resource of every template.
  const manifestFile = path.join(__dirname, 'stateful-logical-ids.json');
  const current: Record<string, Record<string, string[]>> = {};
  for (const name of Object.keys(TEMPLATES).sort()) {
    current[name] = {};
    for (const [stack, template] of Object.entries(templatesOf(synthesized[name])).sort()) {
      const ids: string[] = [];
      for (const type of STATEFUL_TYPES) {
        ids.push(...Object.keys(template.findResources(type)).map((id) => `${id} ${type}`));
      }
      current[name][stack] = ids.sort();
    }
  }
  if (process.env.UPDATE_STATEFUL_MANIFEST) {
    fs.writeFileSync(manifestFile, JSON.stringify(current, null, 2) + '\n');
  }
  const committed: Record<string, Record<string, string[]>> = fs.existsSync(manifestFile) ? JSON.parse(fs.readFileSync(manifestFile, 'utf8')) : {};

  test.each(Object.keys(TEMPLATES).sort())('template %s keeps the logical id of every stateful resource', (name) => {
    const missing: string[] = [];
    for (const [stack, ids] of Object.entries(committed[name] ?? {})) {
      for (const id of ids) {
        if (!(current[name][stack] ?? []).includes(id)) missing.push(`${stack}/${id}`);
      }
    }
    const added: string[] = [];
    for (const [stack, ids] of Object.entries(current[name])) {
      for (const id of ids) {
        if (!(committed[name]?.[stack] ?? []).includes(id)) added.push(`${stack}/${id}`);
      }
    }
    if (missing.length > 0 || added.length > 0) {
      throw new Error(
        [
          `Stateful logical ids of template '${name}' changed.`,
          ...missing.map((m) => `  gone:  ${m}`),
          ...added.map((a) => `  new:   ${a}`),
          'Deploying this would make CloudFormation DELETE or REPLACE the resources that are gone (a bucket of training data, a key, a registry),',
          'and their data with them. If you renamed a construct id, restore it (or pin the logical id with overrideLogicalId).',
          `If the change is intended (a new stateful resource, or a planned migration), refresh the manifest on purpose: ${REFRESH_MANIFEST_COMMAND}`,
        ].join('\n'),
      );
    }
  });
});
