import { App, CfnResource, Stack, Stage } from 'aws-cdk-lib';
import { tagStacksAndResources } from './platform';
import { Acknowledgements } from '../src/core/acknowledgements';
import { TrainyardValidationError } from '../src/core/errors';
import { ManagedPolicyGrantee } from '../src/core/managed-policy-grantee';
import { MlPlatform } from '../src/platform/ml-platform';
import { ModelRegistry } from '../src/registry/model-registry';

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
 * Cross-account read takes two halves: the prod `ModelRegistry`'s resource policy admits the dev
 * account (`crossAccountReadAccounts`), and the dev stack's managed policy `ProdModelRegistryRead`
 * (`grantRead` of the imported group, to a `ManagedPolicyGrantee`) gives the same actions to the dev roles it is attached to. Describe and list only: copying a model's artifacts into dev also needs
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
  // Lowercase: SageMaker writes some model package ARNs in lowercase, and IAM compares ARNs case-sensitively.
  const groupName = `${prefix.toLowerCase()}-models`;
  if (!/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/.test(groupName)) {
    throw new TrainyardValidationError('-c stackPrefix', `must give a valid model package group name '${groupName}': letters, digits and hyphens, at most 56 characters.`);
  }

  // ---- Prod: platform and the model registry teams promote approved models to -----------------
  const prod = new Stage(app, 'Prod', { env: { account: prodAccount, region } });
  const prodStack = new Stack(prod, `${prefix}-Platform`, {
    description: 'Trainyard production ML platform and model registry (readable from the dev account)',
  });
  new MlPlatform(prodStack, 'Platform', { maxAzs: 2 });
  const registry = new ModelRegistry(prodStack, 'ProdModels', {
    groupName,
    description: 'Production model registry: approved models, readable from the dev account',
    crossAccountReadAccounts: [devAccount],
  });
  // The id the group had when the template wrote it as an L1: keeps the retained group in place.
  (registry.node.defaultChild as CfnResource).overrideLogicalId('ModelRegistry');

  // ---- Dev: its own platform, and the identity half of the cross-account read ------------------
  const dev = new Stage(app, 'Dev', { env: { account: devAccount, region } });
  const devStack = new Stack(dev, `${prefix}-Platform`, {
    description: 'Trainyard development ML platform, with read access to the production model registry',
  });
  new MlPlatform(devStack, 'Platform', { maxAzs: 2 });
  const prodRegistry = ModelRegistry.fromGroupArn(devStack, 'ProdModelRegistry',
    `arn:${devStack.partition}:sagemaker:${region}:${prodAccount}:model-package-group/${groupName}`);
  const reader = new ManagedPolicyGrantee(devStack, 'ProdModelRegistryRead', {
    description: `Describe and list the production model registry ${groupName} (account ${prodAccount}); attach to dev roles that compare against or promote from production models`,
  });
  prodRegistry.grantRead(reader);
  Acknowledgements.acknowledgeWildcardResources(reader.policy, [{
    statementSid: 'ReadModelVersions',
    reason:
      'Model versions are created at run time by pipelines in production (model-package/<group>/<version>); the wildcard covers ' +
      'the versions of the one production group only, for describe and list.',
  }]);

  tagStacksAndResources(app, 'trainyard:template', 'multi-account');
  return [devStack, prodStack];
}

function accountFromContext(app: App, key: string): string {
  const value = String(app.node.tryGetContext(key) ?? '');
  if (!/^\d{12}$/.test(value)) {
    throw new TrainyardValidationError(`-c ${key}`, `must be a 12-digit AWS account id, got '${value}'`);
  }
  return value;
}
