import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { platformAndTeam } from './fixtures';
import { TrainyardValidationError } from '../../src/core/errors';
import { DriftMonitor, DriftMonitorProps } from '../../src/pipeline/drift-monitor';
import { MonitoringSchedule } from '../../src/pipeline/monitoring-schedule';
import { newApp } from '../helpers/synth';

// DriftMonitor's synthesized template is tested with the pipeline (training-pipeline.test.ts); these
// are the bad props the property tests found reaching a TypeError or no error at all.
describe('DriftMonitor rejects bad props at synth, naming the prop', () => {
  const make = (props: Partial<DriftMonitorProps>) => () => {
    const t = platformAndTeam(newApp());
    return new DriftMonitor(t.teamStack, 'Drift', { environment: t.environment, endpointName: 'fraud-scoring', features: ['amount'], ...props });
  };

  test.each([
    [{ features: ['amount', 'amount'] }, /DriftMonitor\.features: "amount" is listed twice/],
    [{ features: [''] }, /DriftMonitor\.features: "" is not a feature name: 1 to 232 printable ASCII characters/],
    [{ features: ['amount\n'] }, /DriftMonitor\.features: "amount\\n" is not a feature name/],
    [{ features: [' amount'] }, /DriftMonitor\.features: " amount" is not a feature name/],
    [{ features: ['x'.repeat(233)] }, /DriftMonitor\.features: "x+" is not a feature name/],
    [{ features: [42 as any] }, /DriftMonitor\.features: 42 is not a feature name/],
    [{ driftThreshold: '0.5' as any }, /DriftMonitor\.driftThreshold: must be a distance above 0 and at most 1, got "0\.5"/],
    [{ instanceType: 'm5.large' }, /DriftMonitor\.instanceType: must be a SageMaker instance type such as 'ml\.g5\.2xlarge', got 'm5\.large'/],
    [{ instanceType: '' }, /DriftMonitor\.instanceType/],
    [{ schedule: 'cron(0 * ? * * *)' as any }, /DriftMonitor\.schedule: must be a MonitoringSchedule/],
    [{ schedule: { expressionString: 'cron(0 12 * * ? *)' } as any }, /DriftMonitor\.schedule: must be a MonitoringSchedule/],
  ])('%j', (props, message) => {
    expect(make(props)).toThrow(TrainyardValidationError);
    expect(make(props)).toThrow(message);
  });

  test('a missing environment', () => {
    expect(() => new DriftMonitor(new Stack(newApp(), 'S'), 'Drift', { endpointName: 'fraud-scoring', features: ['amount'] } as any))
      .toThrow(/DriftMonitor\.environment: is required/);
  });

  test('a feature name of 232 printable ASCII characters is accepted', () => {
    expect(make({ features: ['a'.repeat(232), 'merchant risk (%)'] })).not.toThrow();
  });
});

describe('DriftMonitor schedule', () => {
  test('runs hourly by default, and on the MonitoringSchedule given', () => {
    const t = platformAndTeam(newApp());
    new DriftMonitor(t.teamStack, 'Hourly', { environment: t.environment, endpointName: 'fraud-scoring', features: ['amount'] });
    new DriftMonitor(t.teamStack, 'Daily', { environment: t.environment, endpointName: 'fraud-daily', features: ['amount'], schedule: MonitoringSchedule.daily(3) });
    new DriftMonitor(t.teamStack, 'Six', { environment: t.environment, endpointName: 'fraud-six', features: ['amount'], schedule: MonitoringSchedule.every(Duration.hours(6), 2) });
    const schedules = Object.values(Template.fromStack(t.teamStack).findResources('AWS::SageMaker::MonitoringSchedule'))
      .map((r: any) => [r.Properties.MonitoringScheduleName, r.Properties.MonitoringScheduleConfig.ScheduleConfig.ScheduleExpression]);
    expect(schedules).toEqual([
      ['fraud-fraud-scoring-drift', 'cron(0 * ? * * *)'],
      ['fraud-fraud-daily-drift', 'cron(0 3 ? * * *)'],
      ['fraud-fraud-six-drift', 'cron(0 2/6 ? * * *)'],
    ]);
  });
});
