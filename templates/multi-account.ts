import { App, RemovalPolicy, Stack, Stage, Tags } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { Acknowledgements } from '../src/core/acknowledgements';
import { TrainyardValidationError } from '../src/core/errors';
import { MlPlatform } from '../src/platform/ml-platform';

/** The actions the dev account gets on the prod model registry: describe and list, nothing else. */
export const PROD_REGISTRY_READ_ACTIONS = [
  'sagemaker:DescribeModelPackageGroup',
  'sagemaker:DescribeModelPackage',
  'sagemaker:ListModelPackages',
];

/**
 * `multi-account`: CDK stages `Dev` and `Prod`, one account each, each with its own platform; the
 * prod model registry (a SageMaker model package group) is readable from the dev account.
 *
 *   npx cdk synth -c template=multi-account                                            # placeholder accounts
 *   npx cdk deploy -c template=multi-account -c devAccount=111122223333 -c prodAccount=444455556666 -c region=eu-west-1 'Dev/*'
 *
 * The stacks are environment-aware (account and region from context), so they know their zones
 * from `availability-zones:account=...:region=...` context: cdk.json holds it for the placeholder
 * accounts; for real accounts, `cdk synth` with credentials of each account looks it up once and
 * caches it in cdk.context.json.
 *
 * Cross-account read takes two halves: the prod group's resource policy admits the dev account,
 * and the dev stack's managed policy `ProdModelRegistryRead` gives the same actions to the dev
 * roles it is attached to. Describe and list only: copying a model's artifacts into dev also needs
 * the prod artifacts bucket and key to admit the dev role, which this template does not grant.
 */
export function multiAccount(app: App): Stack[] {
  const prefix = String(app.node.tryGetContext('stackPrefix') ?? 'Trainyard');
  const devAccount = accountFromContext(app, 'devAccount');
  const prodAccount = accountFromContext(app, 'prodAccount');
  const region = String(app.node.tryGetContext('region') ?? '');
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) {
    throw new TrainyardValidationError('-c region', `must be an AWS Region such as 'us-east-1', got '${region}'`);
  }
  if (devAccount === prodAccount) {
    throw new TrainyardValidationError('-c prodAccount', `must differ from -c devAccount (both are ${devAccount}): the template separates dev and prod by account.`);
  }
  const groupName = `${prefix}-Models`;
  if (!/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/.test(groupName)) {
    throw new TrainyardValidationError('-c stackPrefix', `must give a valid model package group name '${groupName}': letters, digits and hyphens, at most 56 characters.`);
  }

  // ---- Prod: platform and the model registry teams promote approved models to -----------------
  const prod = new Stage(app, 'Prod', { env: { account: prodAccount, region } });
  const prodStack = new Stack(prod, `${prefix}-Platform`, {
    description: 'Trainyard production ML platform and model registry (readable from the dev account)',
  });
  new MlPlatform(prodStack, 'Platform', { maxAzs: 2 });
  const groupArn = prodStack.formatArn({ service: 'sagemaker', resource: 'model-package-group', resourceName: groupName });
  const packagesArn = prodStack.formatArn({ service: 'sagemaker', resource: 'model-package', resourceName: `${groupName}/*` });
  const group = new sagemaker.CfnModelPackageGroup(prodStack, 'ModelRegistry', {
    modelPackageGroupName: groupName,
    modelPackageGroupDescription: 'Production model registry: approved models, readable from the dev account',
    modelPackageGroupPolicy: new iam.PolicyDocument({
      statements: [
        new iam.PolicyStatement({
          sid: 'DevAccountDescribeGroup',
          principals: [new iam.AccountPrincipal(devAccount)],
          actions: ['sagemaker:DescribeModelPackageGroup'],
          resources: [groupArn],
        }),
        new iam.PolicyStatement({
          sid: 'DevAccountReadModelVersions',
          principals: [new iam.AccountPrincipal(devAccount)],
          actions: ['sagemaker:DescribeModelPackage', 'sagemaker:ListModelPackages'],
          resources: [packagesArn],
        }),
      ],
    }).toJSON(),
  });
  group.applyRemovalPolicy(RemovalPolicy.RETAIN);

  // ---- Dev: its own platform, and the identity half of the cross-account read ------------------
  const dev = new Stage(app, 'Dev', { env: { account: devAccount, region } });
  const devStack = new Stack(dev, `${prefix}-Platform`, {
    description: 'Trainyard development ML platform, with read access to the production model registry',
  });
  new MlPlatform(devStack, 'Platform', { maxAzs: 2 });
  const prodGroupArn = `arn:${devStack.partition}:sagemaker:${region}:${prodAccount}:model-package-group/${groupName}`;
  const prodPackagesArn = `arn:${devStack.partition}:sagemaker:${region}:${prodAccount}:model-package/${groupName}/*`;
  const readPolicy = new iam.ManagedPolicy(devStack, 'ProdModelRegistryRead', {
    description: `Describe and list the production model registry ${groupName} (account ${prodAccount}); attach to dev roles that compare against or promote from production models`,
    statements: [
      new iam.PolicyStatement({ actions: ['sagemaker:DescribeModelPackageGroup'], resources: [prodGroupArn] }),
      new iam.PolicyStatement({ actions: ['sagemaker:DescribeModelPackage', 'sagemaker:ListModelPackages'], resources: [prodPackagesArn] }),
    ],
  });
  Acknowledgements.acknowledge(readPolicy, [{
    id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sagemaker:${region}:${prodAccount}:model-package/${groupName}/*]`,
    reason:
      'Model versions are created at run time by pipelines in production (model-package/<group>/<version>); the wildcard covers ' +
      'the versions of the one production group only, for describe and list.',
  }]);

  Tags.of(app).add('trainyard:template', 'multi-account');
  return [devStack, prodStack];
}

function accountFromContext(app: App, key: string): string {
  const value = String(app.node.tryGetContext(key) ?? '');
  if (!/^\d{12}$/.test(value)) {
    throw new TrainyardValidationError(`-c ${key}`, `must be a 12-digit AWS account id, got '${value}'`);
  }
  return value;
}
