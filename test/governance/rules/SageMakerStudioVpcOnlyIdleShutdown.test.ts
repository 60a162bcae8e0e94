import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { checkRule, expectCompliant, expectNonCompliant } from './rule-harness';

const RULE = 'SageMakerStudioVpcOnlyIdleShutdown';
const idle = { appLifecycleManagement: { idleSettings: { lifecycleManagement: 'ENABLED', idleTimeoutInMinutes: 60 } } };

function domain(stack: any, network: string, jupyterLab: object | undefined) {
  return new sagemaker.CfnDomain(stack, 'Domain', {
    authMode: 'IAM',
    domainName: 'fraud',
    vpcId: 'vpc-0123456789abcdef0',
    subnetIds: ['subnet-0123456789abcdef0'],
    appNetworkAccessType: network,
    defaultUserSettings: { executionRole: 'arn:aws:iam::111122223333:role/studio', jupyterLabAppSettings: jupyterLab },
  });
}

describe(`MlOps-${RULE}`, () => {
  test('compliant: VpcOnly domain with JupyterLab idle shutdown', () => {
    expectCompliant(checkRule(RULE, (stack) => domain(stack, 'VpcOnly', idle)), RULE);
  });

  test('non-compliant: PublicInternetOnly domain', () => {
    expectNonCompliant(checkRule(RULE, (stack) => domain(stack, 'PublicInternetOnly', idle)), RULE);
  });

  test('non-compliant: VpcOnly domain without idle shutdown', () => {
    expectNonCompliant(checkRule(RULE, (stack) => domain(stack, 'VpcOnly', undefined)), RULE);
  });
});
