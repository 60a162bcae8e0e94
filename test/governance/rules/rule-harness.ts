import { CfnResource, Stack } from 'aws-cdk-lib';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { NagRuleCompliance } from 'cdk-nag';
import { MLOPS_RULES, MlOpsChecks } from '../../../src/governance/mlops-checks';
import { newApp } from '../../helpers/synth';

/** What one MlOps rule said about one resource. */
export interface RuleVerdict {
  /** The rule's own verdict on the resource. */
  readonly compliance: NagRuleCompliance | string[];
  /** The MlOps finding ids the whole pack reported on the resource (after Aspects such as tags ran). */
  readonly findings: string[];
}

/**
 * The one helper every rule test goes through: builds a stack with `build` (which returns the
 * resource to judge), synthesizes it (so Aspects such as Tags run), then asks the rule for its
 * verdict on that resource and runs the whole MlOpsChecks pack over the app.
 */
export function checkRule(ruleName: string, build: (stack: Stack) => CfnResource): RuleVerdict {
  const rule = MLOPS_RULES.find((r) => r.name === ruleName);
  if (!rule) throw new Error(`no MlOps rule named ${ruleName}`);
  const app = newApp();
  const stack = new Stack(app, 'Rules');
  const resource = build(stack);
  app.synth();
  const report = new MlOpsChecks().validateScope(app);
  const findings = report.violations
    .filter((v) => v.violatingResources.some((r) => r.constructPath === resource.node.path))
    .map((v) => v.ruleName);
  return { compliance: rule.check(resource), findings };
}

/** A rule's verdict and the pack's finding agree that `ruleName` passes on the resource. */
export function expectCompliant(verdict: RuleVerdict, ruleName: string): void {
  expect(verdict.compliance).toBe(NagRuleCompliance.COMPLIANT);
  expect(verdict.findings).not.toContain(`MlOps-${ruleName}`);
}

/** A rule's verdict and the pack's finding agree that `ruleName` fails on the resource. */
export function expectNonCompliant(verdict: RuleVerdict, ruleName: string): void {
  expect(verdict.compliance).toBe(NagRuleCompliance.NON_COMPLIANT);
  expect(verdict.findings).toContain(`MlOps-${ruleName}`);
}

// ---- Fixtures: raw SageMaker pipeline definition JSON (CreateTrainingJob / CreateProcessingJob shapes) ----

export const KMS_KEY_ARN = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
export const COST_TAGS = [
  { Key: 'trainyard:team', Value: 'fraud' },
  { Key: 'trainyard:cost-center', Value: 'cc-1234' },
];

/** Arguments of a Training step that passes every MlOps rule (CPU instance, single node). */
export function trainingArgs(overrides: Record<string, unknown> = {}): Record<string, any> {
  return {
    AlgorithmSpecification: { TrainingImage: '111122223333.dkr.ecr.us-east-1.amazonaws.com/train:1.0.0', TrainingInputMode: 'File' },
    RoleArn: 'arn:aws:iam::111122223333:role/fraud-training',
    OutputDataConfig: { S3OutputPath: 's3://artifacts/fraud/', KmsKeyId: KMS_KEY_ARN },
    ResourceConfig: { InstanceType: 'ml.m5.xlarge', InstanceCount: 1, VolumeSizeInGB: 50, VolumeKmsKeyId: KMS_KEY_ARN },
    StoppingCondition: { MaxRuntimeInSeconds: 3600 },
    VpcConfig: { Subnets: ['subnet-0123456789abcdef0'], SecurityGroupIds: ['sg-0123456789abcdef0'] },
    EnableNetworkIsolation: true,
    EnableInterContainerTrafficEncryption: true,
    Tags: COST_TAGS,
    ...overrides,
  };
}

/** Arguments of a Processing step that passes every MlOps rule. */
export function processingArgs(overrides: Record<string, unknown> = {}): Record<string, any> {
  return {
    AppSpecification: { ImageUri: '111122223333.dkr.ecr.us-east-1.amazonaws.com/validate:1.0.0' },
    RoleArn: 'arn:aws:iam::111122223333:role/fraud-training',
    ProcessingResources: { ClusterConfig: { InstanceType: 'ml.m5.xlarge', InstanceCount: 1, VolumeSizeInGB: 30, VolumeKmsKeyId: KMS_KEY_ARN } },
    ProcessingOutputConfig: { KmsKeyId: KMS_KEY_ARN, Outputs: [] },
    StoppingCondition: { MaxRuntimeInSeconds: 1800 },
    NetworkConfig: { EnableNetworkIsolation: true, VpcConfig: { Subnets: ['subnet-0123456789abcdef0'], SecurityGroupIds: ['sg-0123456789abcdef0'] } },
    ...overrides,
  };
}

/** A pipeline definition with the given steps (and optional parameters). */
export function definition(steps: unknown[], parameters: unknown[] = []): Record<string, unknown> {
  return { Version: '2020-12-01', Metadata: {}, Parameters: parameters, Steps: steps };
}

/** An `AWS::SageMaker::Pipeline` whose definition body is `body` (an object is serialized to a JSON string). */
export function pipeline(stack: Stack, body: unknown, tags: Array<{ Key: string; Value: string }> = COST_TAGS): sagemaker.CfnPipeline {
  return new sagemaker.CfnPipeline(stack, 'Pipeline', {
    pipelineName: 'fraud-training',
    roleArn: 'arn:aws:iam::111122223333:role/fraud-pipeline',
    pipelineDefinition: { PipelineDefinitionBody: typeof body === 'string' ? body : JSON.stringify(body) },
    tags: tags.map((t) => ({ key: t.Key, value: t.Value })),
  });
}

/** A pipeline with one Training step whose arguments are `trainingArgs(overrides)`. */
export function trainingPipeline(stack: Stack, overrides: Record<string, unknown> = {}): sagemaker.CfnPipeline {
  return pipeline(stack, definition([{ Name: 'Train', Type: 'Training', Arguments: trainingArgs(overrides) }]));
}
