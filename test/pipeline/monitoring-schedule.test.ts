import { Duration } from 'aws-cdk-lib';
import { TrainyardValidationError } from '../../src/core/errors';
import { MonitoringSchedule } from '../../src/pipeline/monitoring-schedule';

// The forms SageMaker accepts for a monitoring schedule (ScheduleConfig.ScheduleExpression, botocore's
// sagemaker service-2.json): hourly, daily at an hour, every N hours (1 to 24) from an hour; all UTC.
describe('MonitoringSchedule', () => {
  test('builds the cron forms SageMaker accepts', () => {
    expect(MonitoringSchedule.hourly().expressionString).toBe('cron(0 * ? * * *)');
    expect(MonitoringSchedule.daily(0).expressionString).toBe('cron(0 0 ? * * *)');
    expect(MonitoringSchedule.daily(23).expressionString).toBe('cron(0 23 ? * * *)');
    expect(MonitoringSchedule.every(Duration.hours(12), 17).expressionString).toBe('cron(0 17/12 ? * * *)');
    expect(MonitoringSchedule.every(Duration.hours(2)).expressionString).toBe('cron(0 0/2 ? * * *)');
    expect(MonitoringSchedule.every(Duration.days(1)).expressionString).toBe('cron(0 0/24 ? * * *)');
  });

  test.each([
    [() => MonitoringSchedule.daily(24), /^MonitoringSchedule\.daily\(hourUtc\): must be from 0 to 23, got 24/],
    [() => MonitoringSchedule.daily(-1), /^MonitoringSchedule\.daily\(hourUtc\)/],
    [() => MonitoringSchedule.daily(1.5), /^MonitoringSchedule\.daily\(hourUtc\)/],
    [() => MonitoringSchedule.every(Duration.minutes(30)), /^MonitoringSchedule\.every\(interval\) \(hours\): must be a whole number from 1 to 24, got 0\.5/],
    [() => MonitoringSchedule.every(Duration.hours(25)), /^MonitoringSchedule\.every\(interval\) \(hours\)/],
    [() => MonitoringSchedule.every(Duration.hours(6), 24), /^MonitoringSchedule\.every\(startHourUtc\)/],
    [() => MonitoringSchedule.every(6 as any), /^MonitoringSchedule\.every\(interval\): must be a Duration/],
  ])('refuses %s, naming the argument', (make, message) => {
    expect(make).toThrow(TrainyardValidationError);
    expect(make).toThrow(message);
  });
});
