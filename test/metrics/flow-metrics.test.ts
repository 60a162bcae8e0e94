import { Duration, Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { MlPlatform } from '../../src/platform/ml-platform';
import { FlowMetrics } from '../../src/metrics/flow-metrics';
import { describeFindings, synthWithCompliance } from '../helpers/synth';

describe('FlowMetrics with two teams, synthesized once with every compliance pack', () => {
  let stack!: Stack;
  let flow!: FlowMetrics;
  const result = synthWithCompliance((app) => {
    stack = new Stack(app, 'Flow');
    const platform = new MlPlatform(stack, 'Platform');
    flow = new FlowMetrics(stack, 'Flow', { platform, teamNames: ['fraud', 'risk'], alarmEmails: ['ml-oncall@example.com'], cycleTimeP90Threshold: Duration.hours(24) });
  });
  const template = result.template(stack);

  test('has no unacknowledged compliance findings from any pack', () => {
    expect(describeFindings(result.report)).toEqual([]);
  });

  test('debug', () => {
    expect(flow.teamNames).toEqual(['fraud', 'risk']);
    expect(Match).toBeDefined();
    expect(template).toBeDefined();
  });
});
