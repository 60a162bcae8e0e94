import { App, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { checkRule, expectCompliant, expectNonCompliant } from './rule-harness';

const RULE = 'MlflowServerMaintainedEncrypted';

function server(stack: any, opts: { kmsBucket: boolean; window?: string }) {
  const bucket = new s3.Bucket(stack, 'Mlflow', opts.kmsBucket
    ? { encryption: s3.BucketEncryption.KMS, encryptionKey: new kms.Key(stack, 'Key') }
    : { encryption: s3.BucketEncryption.S3_MANAGED });
  return new sagemaker.CfnMlflowTrackingServer(stack, 'Tracking', {
    trackingServerName: 'fraud',
    roleArn: 'arn:aws:iam::111122223333:role/mlflow',
    artifactStoreUri: bucket.s3UrlForObject('mlflow'),
    weeklyMaintenanceWindowStart: opts.window,
  });
}

describe(`MlOps-${RULE}`, () => {
  test('compliant: maintenance window and an SSE-KMS artifact bucket of the app', () => {
    expectCompliant(checkRule(RULE, (stack) => server(stack, { kmsBucket: true, window: 'Sun:03:00' })), RULE);
  });

  test('non-compliant: no maintenance window', () => {
    expectNonCompliant(checkRule(RULE, (stack) => server(stack, { kmsBucket: true })), RULE);
  });

  test('non-compliant: artifact store bucket with SSE-S3 only', () => {
    expectNonCompliant(checkRule(RULE, (stack) => server(stack, { kmsBucket: false, window: 'Sun:03:00' })), RULE);
  });

  // A team's App in the team stack, its artifact store in the platform stack's bucket (a cross-stack reference).
  function teamApp(stack: Stack, kmsBucket: boolean) {
    const platform = new Stack(stack.node.scope as App, 'Platform');
    const bucket = new s3.Bucket(platform, 'Artifacts', kmsBucket
      ? { encryption: s3.BucketEncryption.KMS, encryptionKey: new kms.Key(platform, 'Key') }
      : { encryption: s3.BucketEncryption.S3_MANAGED });
    return new sagemaker.CfnMlflowApp(stack, 'App', {
      name: 'fraud-mlflow',
      roleArn: 'arn:aws:iam::111122223333:role/mlflow',
      artifactStoreUri: `s3://${bucket.bucketName}/fraud/mlflow/`,
      weeklyMaintenanceWindowStart: 'Sun:02:00',
    });
  }

  test('compliant: an App whose artifact store is an SSE-KMS bucket of another stack of the app', () => {
    expectCompliant(checkRule(RULE, (stack) => teamApp(stack, true)), RULE);
  });

  test('non-compliant: an App whose artifact store is an SSE-S3 bucket of another stack of the app', () => {
    expectNonCompliant(checkRule(RULE, (stack) => teamApp(stack, false)), RULE);
  });

  // A team's App on a platform imported by name: the bucket name is an SSM parameter the platform stack publishes.
  function appOnPublishedBucket(stack: Stack, kmsBucket: boolean, publish = true) {
    const platform = new Stack(stack.node.scope as App, 'Platform');
    const bucket = new s3.Bucket(platform, 'Artifacts', kmsBucket
      ? { encryption: s3.BucketEncryption.KMS, encryptionKey: new kms.Key(platform, 'Key') }
      : { encryption: s3.BucketEncryption.S3_MANAGED });
    if (publish) {
      new ssm.StringParameter(platform, 'ArtifactsBucketName', { parameterName: '/trainyard/Trainyard/artifacts-bucket-name', stringValue: bucket.bucketName });
    }
    const name = ssm.StringParameter.valueForStringParameter(stack, '/trainyard/Trainyard/artifacts-bucket-name');
    return new sagemaker.CfnMlflowApp(stack, 'App', {
      name: 'fraud-mlflow',
      roleArn: 'arn:aws:iam::111122223333:role/mlflow',
      artifactStoreUri: `s3://${name}/fraud/mlflow/`,
      weeklyMaintenanceWindowStart: 'Sun:02:00',
    });
  }

  test('compliant: an App whose bucket name is an SSM parameter published by another stack of the app, naming an SSE-KMS bucket', () => {
    expectCompliant(checkRule(RULE, (stack) => appOnPublishedBucket(stack, true)), RULE);
  });

  test('non-compliant: the published parameter names an SSE-S3 bucket', () => {
    expectNonCompliant(checkRule(RULE, (stack) => appOnPublishedBucket(stack, false)), RULE);
  });

  test('non-compliant: an SSM parameter no stack of the app publishes (the bucket cannot be verified)', () => {
    expectNonCompliant(checkRule(RULE, (stack) => appOnPublishedBucket(stack, true, false)), RULE);
  });
});
