import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { platformAndTeam } from './fixtures';
import { DriftMonitor } from '../../src/pipeline/drift-monitor';
import { StandardTrainingRecipe } from '../../src/pipeline/standard-training-recipe';
import { TrainingPipeline } from '../../src/pipeline/training-pipeline';
import { describeFindings, synthWithCompliance } from '../helpers/synth';

test('probe', () => {
  let teamStack: any;
  const result = synthWithCompliance((app) => {
    const t = platformAndTeam(app);
    teamStack = t.teamStack;
    const pipeline = new TrainingPipeline(t.teamStack, 'Pipeline', {
      environment: t.environment,
      definition: StandardTrainingRecipe.build({ environment: t.environment }),
    });
    pipeline.triggerOnSchedule(scheduler.ScheduleExpression.expression('cron(0 3 ? * MON *)'));
    pipeline.triggerOnNewData();
    const monitor = new DriftMonitor(t.teamStack, 'Drift', { environment: t.environment, endpointName: 'fraud-scoring', features: ['amount'] });
    pipeline.triggerOnDrift(monitor);
  });
  console.log(describeFindings(result.report).join('\n'));
  require('fs').writeFileSync('/tmp/pipeline-probe.json', JSON.stringify(result.template(teamStack).toJSON(), null, 1));
});
