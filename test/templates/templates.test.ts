import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { synthesizeTemplate, TemplateSynthesis } from '../../templates/app';
import { TEMPLATES } from '../../templates/catalog';
import { REFRESH_MANIFEST_COMMAND, STATEFUL_TYPES } from '../helpers/stateful';
import { cdkJsonContext, describeFindings, newApp } from '../helpers/synth';

/** Every stack template of the synthesis by display name, stage assemblies included (`Dev/Trainyard-Platform`). */
function templatesOf(synthesis: TemplateSynthesis): Record<string, Template> {
  const out: Record<string, Template> = {};
  const read = (dir: string) => {
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
    for (const [name, artifact] of Object.entries<any>(manifest.artifacts)) {
      if (artifact.type === 'aws:cloudformation:stack') {
        out[artifact.displayName ?? name] = Template.fromJSON(JSON.parse(fs.readFileSync(path.join(dir, artifact.properties.templateFile), 'utf8')));
      } else if (artifact.type === 'cdk:cloud-assembly') {
        read(path.join(dir, artifact.properties.directoryName));
      }
    }
  };
  read(synthesis.assemblyDir);
  return out;
}

/** Templates whose stacks carry an account on purpose, with the accounts they may name (cdk.json defaults). */
const ENVIRONMENT_AWARE: Record<string, string[]> = {
  'multi-account': [String(cdkJsonContext().devAccount), String(cdkJsonContext().prodAccount)],
};

// Each template is synthesized once, with every compliance pack, exactly as `cdk synth` does.
const synthesized = Object.fromEntries(Object.keys(TEMPLATES).map((name) => [name, synthesizeTemplate(newApp({ template: name }))]));

describe.each(Object.keys(TEMPLATES))('template %s', (name) => {
  test('synthesizes with zero unacknowledged findings from every pack', () => {
    const synthesis = synthesized[name];
    expect(synthesis.packs).toEqual(['AwsSolutions', 'NIST.800.53.R5', 'HIPAA.Security', 'ControlTower', 'MlOps']);
    expect(describeFindings(synthesis.report)).toEqual([]);
  });

  test('emits no warning (CDK or Trainyard): a template heeds its own library', () => {
    const warnings: string[] = [];
    const visit = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const file = path.join(dir, entry.name);
        if (entry.isDirectory()) {
          visit(file);
        } else if (entry.name.endsWith('.json') && !entry.name.endsWith('.template.json')) {
          const text = fs.readFileSync(file, 'utf8');
          for (const match of text.matchAll(/"type":\s*"aws:cdk:warning",\s*"data":\s*"([^"]*)"/g)) warnings.push(match[1]);
        }
      }
    };
    visit(synthesized[name].assemblyDir);
    expect(warnings).toEqual([]);
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

  test('has stacks, and names no account except the ones it is given', () => {
    const templates = Object.values(templatesOf(synthesized[name]));
    expect(templates.length).toBeGreaterThan(0);
    const allowed = ENVIRONMENT_AWARE[name] ?? [];
    for (const template of templates) {
      // Mappings hold region-info facts (the Deep Learning Container registry account of each
      // region), which are AWS's accounts, not the deployer's.
      const { Mappings: _regionFacts, ...rest } = template.toJSON();
      const accounts = JSON.stringify(rest).match(/\b\d{12}\b/g) ?? [];
      expect(accounts.filter((a) => !allowed.includes(a))).toEqual([]);
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
    platform.resourceCountIs('AWS::EC2::VPCEndpoint', 10); // S3 and DynamoDB gateways, seven interface endpoints, MLflow's
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
    // The training execution role, the pipeline execution role and one role per trigger, each for its own service.
    const principals = Object.values<any>(team.findResources('AWS::IAM::Role'))
      .map((r) => r.Properties.AssumeRolePolicyDocument.Statement[0].Principal.Service).sort();
    // lambda: the submitter of the pipeline's queued training step (the team trains through its share of the GPU pool).
    expect(principals).toEqual(['events.amazonaws.com', 'lambda.amazonaws.com', 'sagemaker.amazonaws.com', 'sagemaker.amazonaws.com', 'scheduler.amazonaws.com']);
    team.resourceCountIs('AWS::EC2::SecurityGroup', 1);
    team.hasResourceProperties('AWS::Budgets::Budget', {
      Budget: { BudgetLimit: { Amount: 1000, Unit: 'USD' }, CostFilters: { TagKeyValue: ['user:trainyard:team$ml'] } },
    });
    team.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
  });

  test('runs the standard pipeline weekly and on new data under the team prefix', () => {
    const team = stacks['Trainyard-Team-ml'];
    team.resourceCountIs('AWS::SageMaker::Pipeline', 1);
    team.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 3 ? * MON *)',
      // The SageMaker pipeline is the target itself (Scheduler's templated SageMaker target).
      Target: Match.objectLike({ Arn: { 'Fn::Join': ['', Match.arrayWith([':pipeline/ml-trainingpipeline'])] } }),
    });
    team.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ 'source': ['aws.s3'], 'detail-type': ['Object Created'] }),
    });
  });
});

describe('template multi-team (example teams file)', () => {
  const synthesis = synthesized['multi-team'];
  const stacks = templatesOf(synthesis);
  const manifest = JSON.parse(fs.readFileSync(path.join(synthesis.assemblyDir, 'manifest.json'), 'utf8'));

  test('holds one platform stack and one stack per team of templates/config/teams.example.yaml, tagged with the team', () => {
    expect(Object.keys(stacks).sort()).toEqual([
      'Trainyard-FlowMetrics', 'Trainyard-Platform', 'Trainyard-Team-forecasting', 'Trainyard-Team-fraud', 'Trainyard-Team-search-ranking',
    ]);
    // Flow metrics of the three teams, selected by team name: the stack imports from the platform only.
    const flow = stacks['Trainyard-FlowMetrics'];
    flow.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    expect(Object.keys(flow.findResources('AWS::CloudWatch::Alarm'))).toHaveLength(9);
    expect(JSON.stringify(flow.toJSON())).not.toMatch(/Trainyard-Team-/);
    expect(manifest.artifacts['Trainyard-Team-search-ranking'].properties.tags).toMatchObject({ 'trainyard:team': 'search-ranking' });
    stacks['Trainyard-Team-search-ranking'].hasResourceProperties('AWS::Budgets::Budget', {
      Budget: { BudgetLimit: { Amount: 40000, Unit: 'USD' }, CostFilters: { TagKeyValue: ['user:trainyard:team$search-ranking'] } },
    });
    stacks['Trainyard-Platform'].resourceCountIs('AWS::EC2::VPCEndpoint', 10); // S3 and DynamoDB gateways, 7 training endpoints, MLflow's
  });

  test('every team gets its own model registry and image repository, and its role may use the shared MLflow App', () => {
    for (const team of ['fraud', 'search-ranking', 'forecasting']) {
      const stack = stacks[`Trainyard-Team-${team}`];
      stack.hasResourceProperties('AWS::SageMaker::ModelPackageGroup', { ModelPackageGroupName: `${team}-models` });
      stack.hasResourceProperties('AWS::ECR::Repository', { RepositoryName: `${team}/training`, ImageTagMutability: 'IMMUTABLE' });
      const policies = Object.values<any>(stack.findResources('AWS::IAM::ManagedPolicy'))
        .filter((p) => JSON.stringify(p.Properties.PolicyDocument).includes('sagemaker-mlflow:LogBatch'));
      expect(policies).toHaveLength(1);
      // Scoped to the platform's app (imported from the platform stack), never to every MLflow resource.
      const mlflow = policies[0].Properties.PolicyDocument.Statement.find((st: any) => st.Sid === 'UseMlflow');
      expect(JSON.stringify(mlflow.Resource)).toMatch(/Fn::ImportValue.*ExperimentTrackingApp/);
    }
  });

  test('team stacks use the shared platform through a few exports, and the platform references no team', () => {
    const platform = stacks['Trainyard-Platform'].toJSON();
    const exports = Object.values<any>(platform.Outputs ?? {}).filter((o) => o.Export).map((o) => JSON.stringify(o.Export.Name));
    expect(exports.length).toBeGreaterThan(0);
    expect(exports.length).toBeLessThanOrEqual(20);
    for (const team of ['fraud', 'search-ranking', 'forecasting']) {
      expect(JSON.stringify(stacks[`Trainyard-Team-${team}`].toJSON())).toContain('Fn::ImportValue');
    }
    expect(JSON.stringify(platform)).not.toMatch(/Fn::ImportValue|fraud|forecasting|search-ranking/);
  });

  test("keeps the logical ids of single-team's MlPlatform, so switching templates replaces none of its resources", () => {
    // Everything under the MlPlatform construct (id 'Platform'): VPC, endpoints, key, buckets.
    const platformIds = (t: Template) => Object.keys(t.toJSON().Resources).filter((id) => id.startsWith('Platform')).sort();
    const multi = platformIds(stacks['Trainyard-Platform']);
    expect(multi.length).toBeGreaterThan(20);
    // single-team adds FlowMetrics' pieces to the platform (a DynamoDB gateway endpoint, an endpoint rule); every
    // MlPlatform resource of multi-team is there under the same id.
    expect(platformIds(templatesOf(synthesized['single-team'])['Trainyard-Platform'])).toEqual(expect.arrayContaining(multi));
  });
});

describe('template multi-account', () => {
  const synthesis = synthesized['multi-account'];
  const stacks = templatesOf(synthesis);
  const [devAccount, prodAccount] = ENVIRONMENT_AWARE['multi-account'];

  test('holds a Dev and a Prod stage, each with its own platform', () => {
    expect(Object.keys(stacks).sort()).toEqual(['Dev/Trainyard-Platform', 'Prod/Trainyard-Platform']);
    for (const stack of Object.values(stacks)) {
      stack.resourceCountIs('AWS::EC2::VPC', 1);
      stack.resourceCountIs('AWS::KMS::Key', 1);
    }
  });

  test('the prod model registry admits the dev account to describe and list, and dev has the matching policy', () => {
    const groups = Object.values<any>(stacks['Prod/Trainyard-Platform'].findResources('AWS::SageMaker::ModelPackageGroup'));
    expect(groups.map((g) => g.Properties.ModelPackageGroupName)).toEqual(['trainyard-models']);
    const statements = groups[0].Properties.ModelPackageGroupPolicy.Statement.map((st: any) => ({
      actions: st.Action,
      principal: JSON.stringify(st.Principal),
      effect: st.Effect,
    }));
    expect(statements).toEqual([
      { actions: 'sagemaker:DescribeModelPackageGroup', principal: expect.stringContaining(`:iam::${devAccount}:root`), effect: 'Allow' },
      { actions: ['sagemaker:DescribeModelPackage', 'sagemaker:ListModelPackages'], principal: expect.stringContaining(`:iam::${devAccount}:root`), effect: 'Allow' },
    ]);
    stacks['Dev/Trainyard-Platform'].resourceCountIs('AWS::SageMaker::ModelPackageGroup', 0);
    const devPolicy = JSON.stringify(stacks['Dev/Trainyard-Platform'].findResources('AWS::IAM::ManagedPolicy'));
    expect(devPolicy).toContain(`:sagemaker:us-east-1:${prodAccount}:model-package-group/trainyard-models`);
    expect(devPolicy).not.toMatch(/"Action":"sagemaker:\*"|"Resource":"\*"/);
  });

  test('the compliance packs registered on the App ran on the stage stacks (acknowledged findings of both stages are reported)', () => {
    const paths = synthesis.report.acknowledged.map((f) => f.constructPath);
    expect(paths.some((p) => p.startsWith('Dev/Trainyard-Platform/'))).toBe(true);
    expect(paths.some((p) => p.startsWith('Prod/Trainyard-Platform/'))).toBe(true);
  });
});

describe('bad template context', () => {
  test.each([
    [{ devAccount: '12345' }, "-c devAccount: must be a 12-digit AWS account id, got '12345'"],
    [{ prodAccount: cdkJsonContext().devAccount }, '-c prodAccount: must differ from -c devAccount'],
    [{ region: 'Virginia' }, "-c region: must be an AWS Region such as 'us-east-1', got 'Virginia'"],
  ])('multi-account with %j fails naming the option', (context, message) => {
    expect(() => synthesizeTemplate(newApp({ template: 'multi-account', ...context }))).toThrow(message);
  });

  test('multi-team with an unknown GPU in the teams file fails naming the file and the path', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'teams-'));
    const file = path.join(dir, 'teams.json');
    fs.writeFileSync(file, JSON.stringify({ teams: [{ name: 'vision', gpu: 'ml.zz9.huge', maxInstanceCount: 1, monthlyBudgetUsd: 10, costCenter: 'CC-1', alertEmails: ['v@example.com'] }] }));
    expect(() => synthesizeTemplate(newApp({ template: 'multi-team', teams: file }))).toThrow(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: /teams/0/gpu: `));
  });
});

describe('template batch-gpu', () => {
  const stacks = templatesOf(synthesized['batch-gpu']);
  const platform = stacks['Trainyard-Platform'];
  const team = stacks['Trainyard-Team-Vision'];

  test('the platform gains the ECS endpoints Batch needs in the isolated VPC', () => {
    // 7 training endpoints + MLflow's + ecs, ecs-agent, ecs-telemetry, plus the S3 gateway endpoint.
    platform.resourceCountIs('AWS::EC2::VPCEndpoint', 12);
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
