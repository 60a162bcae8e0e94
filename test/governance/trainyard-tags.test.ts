import { Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as batch from 'aws-cdk-lib/aws-batch';
import { TrainyardStage, TrainyardTags } from '../../src/governance/trainyard-tags';
import { MlPlatform } from '../../src/platform/ml-platform';
import { describeFindings, newApp, synthWithCompliance } from '../helpers/synth';

describe('TrainyardTags.apply', () => {
  // GIVEN the platform and a GPU Batch compute environment tagged at the app, synthesized once with every pack
  let stack!: Stack;
  const result = synthWithCompliance((app) => {
    stack = new Stack(app, 'Tagged');
    new MlPlatform(stack, 'Platform');
    new batch.CfnComputeEnvironment(stack, 'Gpu', {
      type: 'MANAGED',
      computeResources: { type: 'EC2', instanceTypes: ['g5'], minvCpus: 0, maxvCpus: 64, subnets: ['subnet-0123456789abcdef0'] },
    });
    TrainyardTags.apply(app, { teamName: 'fraud', costCenter: 'cc-1234', stage: TrainyardStage.PRODUCTION, project: 'chargebacks', additionalTags: { owner: 'ml-platform@example.com' } });
  }, { compliance: { packs: [] as any } });
  const template = result.template(stack);

  test('tags every taggable resource with team, cost centre, environment, project and extra tags', () => {
    for (const bucket of Object.values<any>(template.findResources('AWS::S3::Bucket'))) {
      expect(bucket.Properties.Tags).toEqual(expect.arrayContaining([
        { Key: 'trainyard:team', Value: 'fraud' },
        { Key: 'trainyard:cost-center', Value: 'cc-1234' },
        { Key: 'trainyard:stage', Value: 'production' },
        { Key: 'trainyard:project', Value: 'chargebacks' },
        { Key: 'owner', Value: 'ml-platform@example.com' },
      ]));
    }
    template.hasResourceProperties('AWS::KMS::Key', { Tags: Match.arrayWith([{ Key: 'trainyard:team', Value: 'fraud' }]) });
    // AWS Batch takes tags as a map
    template.hasResourceProperties('AWS::Batch::ComputeEnvironment', { Tags: Match.objectLike({ 'trainyard:team': 'fraud', 'trainyard:cost-center': 'cc-1234' }) });
  });

  test('tags the stack itself too (cdk.json sets explicitStackTags, under which a plain Tags.of(app) skips stacks)', () => {
    // The stack's tags are what CloudFormation propagates and what `trainyard cost` reads the team from.
    expect(stack.tags.tagValues()).toEqual(expect.objectContaining({
      'trainyard:team': 'fraud',
      'trainyard:cost-center': 'cc-1234',
      'trainyard:stage': 'production',
    }));
  });
});

describe('TrainyardTags with every compliance pack', () => {
  test('a tagged GPU compute environment and the platform synthesize with zero unacknowledged findings', () => {
    const result = synthWithCompliance((app) => {
      const stack = new Stack(app, 'Tagged');
      new MlPlatform(stack, 'Platform');
      TrainyardTags.apply(stack, { teamName: 'fraud', costCenter: 'cc-1234' });
    });
    expect(describeFindings(result.report)).toEqual([]);
  });
});

describe('TrainyardTags validation', () => {
  const stack = new Stack(newApp(), 'S');

  test('returns the tags it applied', () => {
    expect(TrainyardTags.apply(stack, { teamName: 'fraud', costCenter: 'cc-1234' })).toEqual({ 'trainyard:team': 'fraud', 'trainyard:cost-center': 'cc-1234' });
  });

  test('rejects an empty team or cost centre, naming the prop', () => {
    expect(() => TrainyardTags.apply(stack, { teamName: ' ', costCenter: 'cc' })).toThrow(/TrainyardTagValues\.teamName: must not be empty/);
    expect(() => TrainyardTags.apply(stack, { teamName: 'fraud', costCenter: '' })).toThrow(/TrainyardTagValues\.costCenter: must not be empty/);
  });

  test('rejects values AWS does not allow in tags', () => {
    expect(() => TrainyardTags.apply(stack, { teamName: 'fraud#1', costCenter: 'cc' })).toThrow(/TrainyardTagValues\.teamName: 'fraud#1' is not a valid tag value/);
    expect(() => TrainyardTags.apply(stack, { teamName: 'fraud', costCenter: 'x'.repeat(257) })).toThrow(/TrainyardTagValues\.costCenter: .* is not a valid tag value: at most 256/);
  });

  test('rejects an unknown environment and aws: keys', () => {
    expect(() => TrainyardTags.apply(stack, { teamName: 'fraud', costCenter: 'cc', stage: 'prod' as TrainyardStage }))
      .toThrow(/TrainyardTagValues\.stage: must be a TrainyardStage \(production, non-production\), got 'prod'/);
    expect(() => TrainyardTags.apply(stack, { teamName: 'fraud', costCenter: 'cc', additionalTags: { 'aws:owner': 'me' } }))
      .toThrow(/TrainyardTagValues\.additionalTags\['aws:owner'\]: tag key 'aws:owner' is not allowed/);
  });

  test('rejects an additional tag that a dedicated prop sets', () => {
    expect(() => TrainyardTags.apply(stack, { teamName: 'fraud', costCenter: 'cc', additionalTags: { 'trainyard:team': 'other' } }))
      .toThrow(/additionalTags\['trainyard:team'\]: is set by a dedicated prop/);
  });

  test('rejects an additional tag with a dedicated prop\'s key even when that prop is not given (it would skip the stage check)', () => {
    expect(() => TrainyardTags.apply(stack, { teamName: 'fraud', costCenter: 'cc', additionalTags: { 'trainyard:stage': 'prod' } }))
      .toThrow(/additionalTags\['trainyard:stage'\]: is set by a dedicated prop/);
    expect(() => TrainyardTags.apply(stack, { teamName: 'fraud', costCenter: 'cc', additionalTags: { 'trainyard:project': 'x' } }))
      .toThrow(/additionalTags\['trainyard:project'\]: is set by a dedicated prop/);
  });
});
