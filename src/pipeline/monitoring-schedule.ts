import { Duration } from 'aws-cdk-lib';
import { TrainyardValidationError } from '../core/errors';
import { requireIntegerInRange } from '../core/validate';

/**
 * When a SageMaker Model Monitor job runs (`ScheduleConfig.ScheduleExpression` of a monitoring
 * schedule). SageMaker accepts only a few cron forms, all in UTC: hourly (`cron(0 * ? * * *)`),
 * daily at an hour (`cron(0 H ? * * *)`) and every N hours from an hour (`cron(0 H/N ? * * *)`);
 * this class builds exactly those, so a schedule SageMaker would refuse at deploy fails at synth.
 *
 * @see https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ScheduleConfig.html
 */
export class MonitoringSchedule {
  /** Every hour, on the hour: `cron(0 * ? * * *)`. */
  public static hourly(): MonitoringSchedule {
    return new MonitoringSchedule('cron(0 * ? * * *)');
  }

  /**
   * Once a day at `hourUtc` o'clock UTC: `cron(0 <hourUtc> ? * * *)`.
   *
   * @param hourUtc the hour of the day, 0 to 23 (UTC)
   */
  public static daily(hourUtc: number): MonitoringSchedule {
    requireIntegerInRange('MonitoringSchedule.daily(hourUtc)', hourUtc ?? NaN, 0, 23);
    return new MonitoringSchedule(`cron(0 ${hourUtc} ? * * *)`);
  }

  /**
   * Every `interval` (whole hours, 1 to 24), starting at `startHourUtc` o'clock UTC each day:
   * `cron(0 <startHourUtc>/<hours> ? * * *)`, for example every 6 hours from midnight.
   *
   * @param interval the time between two runs: whole hours, from 1 to 24
   * @param startHourUtc the hour of the day of the first run, 0 to 23 (UTC)
   */
  public static every(interval: Duration, startHourUtc: number = 0): MonitoringSchedule {
    if (!interval || typeof (interval as any).toHours !== 'function' || interval.isUnresolved()) {
      throw new TrainyardValidationError('MonitoringSchedule.every(interval)', 'must be a Duration of whole hours known at synth, for example Duration.hours(6).');
    }
    const hours = interval.toHours({ integral: false });
    requireIntegerInRange('MonitoringSchedule.every(interval) (hours)', hours, 1, 24);
    requireIntegerInRange('MonitoringSchedule.every(startHourUtc)', startHourUtc, 0, 23);
    return new MonitoringSchedule(`cron(0 ${startHourUtc}/${hours} ? * * *)`);
  }

  /**
   * Whether `x` is a `MonitoringSchedule`, by shape (a schedule of another copy of the package counts).
   *
   * @internal
   */
  public static _isSchedule(x: unknown): x is MonitoringSchedule {
    return typeof x === 'object' && x !== null && typeof (x as MonitoringSchedule).expressionString === 'string'
      && /^cron\(0 (\*|\d{1,2}|\d{1,2}\/\d{1,2}) \? \* \* \*\)$/.test((x as MonitoringSchedule).expressionString);
  }

  /** The schedule expression SageMaker receives, for example `cron(0 * ? * * *)`. */
  public readonly expressionString: string;

  private constructor(expressionString: string) {
    this.expressionString = expressionString;
  }
}
