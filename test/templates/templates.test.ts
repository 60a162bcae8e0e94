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
