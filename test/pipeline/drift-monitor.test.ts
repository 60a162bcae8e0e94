import { Stack } from 'aws-cdk-lib';
import { platformAndTeam } from './fixtures';
import { TrainyardValidationError } from '../../src/core/errors';
import { DriftMonitor, DriftMonitorProps } from '../../src/pipeline/drift-monitor';
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
