import { Stack } from 'aws-cdk-lib';
import { TrainingStudio } from '../../src/environment/training-studio';
import { MlPlatform } from '../../src/platform/ml-platform';
import { describeFindings, synthWithCompliance } from '../helpers/synth';

describe('TrainingStudio with default props', () => {
  let stack!: Stack;
  const result = synthWithCompliance((app) => {
    const platformStack = new Stack(app, 'Platform');
    const platform = new MlPlatform(platformStack, 'Platform');
    stack = new Stack(app, 'Studio');
    new TrainingStudio(stack, 'Studio', { platform });
  });
  const template = result.template(stack);

  test('has no unacknowledged compliance findings from any pack', () => {
    expect(describeFindings(result.report)).toEqual([]);
  });
  test('dump', () => { console.log(JSON.stringify(template.toJSON(), null, 1).slice(0, 6000)); });
});
