import * as fs from 'fs';
import * as path from 'path';
import { multiAccount } from '../../templates/multi-account';
import { isAllowed, TemplateResolver } from '../helpers/access-matrix';
import { cdkJsonContext, newApp } from '../helpers/synth';
import {
  buildTenantApp, cellKey, CELLS, computeMatrix, crossTeamAllowed, difference, Matrix, renderMatrix, ROLES, SHARING, TeamHandles,
} from '../helpers/tenant-matrix';

// The tenant-isolation access matrix (issue 19): every team role of the multi-team template (with the
// standard pipeline, a team Studio and GPU Batch compute in each team stack), simulated with
// iam-simulate against every team's resources, after resolving every CloudFormation token to a real
// ARN. docs/tenant-isolation.md is generated from it; UPDATE_ACCESS_MATRIX=1 rewrites it.
const DOC = path.join(__dirname, '..', '..', 'docs', 'tenant-isolation.md');

/** What each role of a team must be able to do on its own team's resources (its job), by cell id. */
const OWN_TEAM: Record<typeof ROLES[number], string[]> = {
  'execution': ['data-r', 'shared-r', 'art-r', 'art-w', 'mlflow-art-r', 'mlflow-art-w', 'mlflow-api', 'image-r'],
  'pipeline': ['models-r', 'models-w', 'job-create', 'job-describe', 'job-stop', 'proc-stop'],
  'studio': ['data-r', 'shared-r', 'art-r', 'mlflow-art-r', 'mlflow-art-w', 'mlflow-api', 'space'],
  'batch job': ['data-r', 'shared-r', 'art-r', 'art-w', 'mlflow-art-r'],
};

function ownCells(matrix: Matrix, team: string, role: typeof ROLES[number]): string[] {
  return CELLS.filter((c) => matrix.get(cellKey(team, role, team, c.id))).map((c) => c.id);
}

describe('tenant isolation: the multi-team template, three example teams', () => {
  let teams: TeamHandles[];
  let resolver: TemplateResolver;
  let isolated: Matrix;
  let shared: Matrix;
  let sharedTeams: TeamHandles[];
  beforeAll(async () => {
    const app = buildTenantApp();
    teams = app.teams;
    resolver = TemplateResolver.fromAssembly(app.assemblyDir);
    isolated = await computeMatrix(app.assemblyDir, teams);
    const withGrants = buildTenantApp({ share: true });
    sharedTeams = withGrants.teams;
    shared = await computeMatrix(withGrants.assemblyDir, sharedTeams);
  }, 600_000);

  test('every role of every team is denied every cell of every other team', () => {
    expect(teams.map((t) => t.team)).toEqual(['fraud', 'search-ranking', 'forecasting']);
    expect(isolated.size).toBe(3 * ROLES.length * 3 * CELLS.length);
    expect(crossTeamAllowed(isolated)).toEqual([]);
  });

  test('every role of every team may do its job on its own team\'s resources, and no more', () => {
    for (const { team } of teams) {
      for (const role of ROLES) {
        expect([team, role, ownCells(isolated, team, role)]).toEqual([team, role, OWN_TEAM[role]]);
      }
    }
  });

  test('no team role may change a shared resource: bucket and key policies, endpoints and security groups, flow metrics, audit trail', () => {
    // Actions on the shared platform pieces that would let one team reach around the prefixes above.
    const forbidden = /^(s3:(PutBucketPolicy|DeleteBucketPolicy|PutBucketAcl|PutLifecycleConfiguration|DeleteBucket|PutBucketVersioning)|kms:(PutKeyPolicy|ScheduleKeyDeletion|DisableKey|CreateGrant$)|ec2:(Authorize|Revoke|ModifyVpcEndpoint|DeleteVpcEndpoints|ModifySecurityGroupRules)|dynamodb:|cloudtrail:|cloudwatch:(PutDashboard|DeleteDashboards|PutMetricAlarm|DeleteAlarms)|events:(PutRule|DeleteRule|PutTargets)|sagemaker:(CreateMlflowApp|UpdateMlflowApp|DeleteMlflowApp|UpdateDomain|DeleteDomain|CreatePresignedDomainUrl|UpdateUserProfile|DeleteUserProfile)|iam:(Create|Put|Attach|Update|Delete))/;
    const found: string[] = [];
    for (const team of teams) {
      for (const role of ROLES) {
        for (const { name, policy } of resolver.identityPolicies(team.roles[role].stack, team.roles[role].logicalId)) {
          for (const statement of [policy.Statement].flat()) {
            for (const action of [statement.Action].flat()) {
              // kms:CreateGrant is allowed only for AWS resources (the SageMaker volumes), checked below.
              const grantForResources = action === 'kms:CreateGrant' && statement.Condition?.Bool?.['kms:GrantIsForAWSResource'] === 'true';
              if (statement.Effect === 'Allow' && forbidden.test(action) && !grantForResources) found.push(`${team.team} ${role} ${name}: ${action}`);
            }
          }
        }
      }
    }
    expect(found).toEqual([]);
  });

  test('the explicit grants (fraud shares shared/ datasets, models and images with forecasting) flip exactly the cells they name', () => {
    const reader = SHARING.reader;
    const owner = SHARING.owner;
    expect(difference(isolated, shared).sort()).toEqual([
      `${reader}|execution|${owner}|art-r: false -> true`, // the model artifacts the shared model versions point at
      `${reader}|execution|${owner}|image-r: false -> true`,
      `${reader}|execution|${owner}|models-r: false -> true`,
      `${reader}|execution|${owner}|shared-r: false -> true`,
    ]);
  });

  test('docs/tenant-isolation.md holds the current matrix (UPDATE_ACCESS_MATRIX=1 regenerates it)', () => {
    const names = teams.map((t) => t.team);
    const flipped = new Set(difference(isolated, shared).map((d) => d.split(':')[0]));
    const generated = [
      '<!-- BEGIN GENERATED MATRIX: test/governance/tenant-isolation.test.ts; UPDATE_ACCESS_MATRIX=1 npx jest test/governance/tenant-isolation.test.ts -->',
      '',
      '### Without any grant (the default)',
      '',
      renderMatrix(isolated, names),
      `### With fraud's explicit grants to forecasting (\`grantDatasetRead(forecasting, '${SHARING.datasetsPrefix}')\`, \`grantModelRead\`, \`grantImagePull\`); the cells the grants open are in bold`,
      '',
      renderMatrix(shared, names, flipped),
      '<!-- END GENERATED MATRIX -->',
    ].join('\n');
    const before = fs.existsSync(DOC) ? fs.readFileSync(DOC, 'utf8') : '';
    const replaced = before.replace(/<!-- BEGIN GENERATED MATRIX[\s\S]*<!-- END GENERATED MATRIX -->/, generated);
    if (process.env.UPDATE_ACCESS_MATRIX) fs.writeFileSync(DOC, replaced);
    const current = fs.readFileSync(DOC, 'utf8');
    expect(current).toContain('<!-- BEGIN GENERATED MATRIX');
    expect(replaced).toBe(current);
  });
});

describe('tenant isolation: the multi-team template, 10 generated teams', () => {
  test('no role of any team may touch any other team\'s data, experiments, models, images, jobs or Studio spaces', async () => {
    const app = buildTenantApp({ generatedTeams: 10 });
    expect(app.teams).toHaveLength(10);
    // One read and one write per kind of resource, for every role against every team: 4 x 10 x 10 x 10 requests.
    const cells = CELLS.filter((c) => ['data-r', 'art-w', 'mlflow-art-w', 'mlflow-api', 'models-r', 'image-r', 'job-create', 'job-stop', 'proc-stop', 'space'].includes(c.id));
    const matrix = await computeMatrix(app.assemblyDir, app.teams, cells);
    expect(matrix.size).toBe(ROLES.length * 10 * 10 * cells.length);
    expect(crossTeamAllowed(matrix)).toEqual([]);
    for (const { team } of app.teams) {
      for (const role of ROLES) {
        const own = cells.filter((c) => matrix.get(cellKey(team, role, team, c.id))).map((c) => c.id);
        expect([team, role, own]).toEqual([team, role, OWN_TEAM[role].filter((id) => cells.some((c) => c.id === id))]);
      }
    }
  }, 600_000);
});

describe('tenant isolation across accounts: the multi-account template', () => {
  const app = newApp({ template: 'multi-account' });
  multiAccount(app);
  const resolver = TemplateResolver.fromAssembly(app.synth().directory);
  const devAccount = String(cdkJsonContext().devAccount);
  const prodAccount = String(cdkJsonContext().prodAccount);
  const prod = resolver.stack('Prod-Trainyard-Platform');
  const dev = resolver.stack('Dev-Trainyard-Platform');
  const group = prod.template.Resources.ModelRegistry;
  const groupArn = resolver.resolve(prod, { 'Fn::GetAtt': ['ModelRegistry', 'ModelPackageGroupArn'] });
  const groupPolicy = resolver.resolve(prod, group.Properties.ModelPackageGroupPolicy);
  const grantId = Object.keys(dev.template.Resources).find((id) => id.startsWith('ProdModelRegistryRead'))!;
  const declaredGrant = [{ name: 'ProdModelRegistryRead', policy: resolver.resolve(dev, dev.template.Resources[grantId].Properties.PolicyDocument) }];
  const devRole = `arn:aws:iam::${devAccount}:role/ml-team-dev`;
  const request = (action: string, resource: string) => ({ action, resource, resourceAccount: prodAccount, resourcePolicy: groupPolicy });
  const version = `arn:aws:sagemaker:${prod.region}:${prodAccount}:model-package/trainyard-models/3`;

  test('a dev role reads the prod model packages only through the declared grant (the dev policy and the group policy)', async () => {
    expect(groupArn).toBe(`arn:aws:sagemaker:${prod.region}:${prodAccount}:model-package-group/trainyard-models`);
    expect(await isAllowed(devRole, declaredGrant, request('sagemaker:DescribeModelPackageGroup', groupArn))).toBe(true);
    expect(await isAllowed(devRole, declaredGrant, request('sagemaker:DescribeModelPackage', version))).toBe(true);
    // Without the declared grant attached, the group's policy alone does not let a dev role in.
    expect(await isAllowed(devRole, [], request('sagemaker:DescribeModelPackageGroup', groupArn))).toBe(false);
  });

  test('the grant reads, never writes, and only the one prod group', async () => {
    for (const action of ['sagemaker:CreateModelPackage', 'sagemaker:UpdateModelPackage', 'sagemaker:DeleteModelPackage']) {
      expect([action, await isAllowed(devRole, declaredGrant, request(action, version))]).toEqual([action, false]);
    }
    const other = `arn:aws:sagemaker:${prod.region}:${prodAccount}:model-package-group/payments-models`;
    expect(await isAllowed(devRole, declaredGrant, { action: 'sagemaker:DescribeModelPackageGroup', resource: other, resourceAccount: prodAccount })).toBe(false);
    // A role of a third account with the same identity policy is not admitted by the group's policy.
    expect(await isAllowed('arn:aws:iam::210987654321:role/ml-team', declaredGrant, request('sagemaker:DescribeModelPackageGroup', groupArn))).toBe(false);
  });
});

describe('the resolver is strict: an unresolvable token fails instead of matching everything', () => {
  const resolver = TemplateResolver.fromAssembly((() => {
    const app = newApp({ template: 'multi-account' });
    multiAccount(app);
    return app.synth().directory;
  })());
  const dev = resolver.stack('Dev-Trainyard-Platform');

  test.each([
    [{ Ref: 'NoSuchResource' }, /no resource NoSuchResource/],
    [{ 'Fn::ImportValue': 'Nobody:Exports:This' }, /is exported by 0 stacks/],
    [{ 'Fn::GetAtt': ['PlatformKeyE2280810', 'Nonsense'] }, /cannot resolve Fn::GetAtt PlatformKeyE2280810.Nonsense/],
    [{ 'Fn::Transform': {} }, /cannot resolve Fn::Transform/],
    ['arn:aws:s3:::${Token[TOKEN.123]}/x', /unresolved CDK token/],
    [{ Ref: 'BootstrapVersion' }, /SSM parameter \/cdk-bootstrap\/hnb659fds\/version .* is written by no stack/],
  ])('%j', (value, message) => {
    expect(() => resolver.resolve(dev, value)).toThrow(message);
  });

  test('resolves joins, subs, selects and splits to real ARN shapes', () => {
    // A generated bucket name, lowercase and within S3's 63 characters, as CloudFormation makes them.
    const bucketArn = resolver.resolve(dev, { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${PlatformDatasetsBucket3DF1E2FF}/x' });
    expect(bucketArn).toMatch(/^arn:aws:s3:::dev-trainyard-platform-platformdatasetsbucket[0-9a-f]*-[0-9a-f]{12}\/x$/);
    expect(bucketArn.split(':::')[1].split('/')[0].length).toBeLessThanOrEqual(63);
    expect(resolver.resolve(dev, { 'Fn::Select': [1, { 'Fn::Split': ['/', { 'Fn::GetAtt': ['PlatformKeyE2280810', 'Arn'] }] }] })).toMatch(/^[0-9a-f-]{36}$/);
    expect(resolver.resolve(dev, { 'Fn::Join': [':', ['a', { Ref: 'AWS::AccountId' }]] })).toBe(`a:${cdkJsonContext().devAccount}`);
  });
});
