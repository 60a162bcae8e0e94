import { Stack, Stage } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { TrainyardCompliance } from '../../src/governance/trainyard-compliance';
import { newApp } from '../helpers/synth';

// multi-account builds its stacks inside CDK Stages and applies the packs once, on the App
// (templates/app.ts). This pins down that CDK runs App-level validation plugins on the stacks of
// nested stage assemblies too: if it stopped doing so, the multi-account gate would pass silently.
describe('compliance packs applied to the App', () => {
  test('GIVEN a non-compliant bucket inside a Stage WHEN synthesized THEN the cdk-nag packs fail the synth on it', () => {
    const app = newApp();
    TrainyardCompliance.apply(app, { packs: ['AwsSolutions' as any] });
    const stage = new Stage(app, 'Dev', { env: { account: '111111111111', region: 'us-east-1' } });
    new s3.Bucket(new Stack(stage, 'Data'), 'Unlogged');
    expect(() => app.synth()).toThrow(/Dev\/Data\/Unlogged\/Resource[\s\S]*Acknowledge with 'AwsSolutions::AwsSolutions-S1'/);
  });
});
