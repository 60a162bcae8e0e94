import * as fs from 'fs';
import * as path from 'path';
import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { platformAndTeam } from './fixtures';
import { ITrainingEnvironment, StandardTrainingRecipe, TrainingPipeline } from '../../src';
import { newApp } from '../helpers/synth';

// The README's "Training pipelines" example, verbatim apart from the `declare`d values.
function readmeExample(teamStack: Stack, team: ITrainingEnvironment): TrainingPipeline {
  const pipeline = new TrainingPipeline(teamStack, 'Pipeline', {
    environment: team,
    definition: StandardTrainingRecipe.create({ environment: team, metricThreshold: 0.9 }),
  });
  pipeline.triggerOnSchedule(ScheduleExpression.rate(Duration.days(7))); // EventBridge Scheduler
  pipeline.triggerOnNewData({ prefix: 'transactions/' }); // S3 events on the team prefix
  return pipeline;
}

test('the README example compiles and synthesizes a pipeline with two triggers', () => {
  const { teamStack, environment } = platformAndTeam(newApp());
  readmeExample(teamStack, environment);
  const template = Template.fromStack(teamStack);
  template.resourceCountIs('AWS::SageMaker::Pipeline', 1);
  template.resourceCountIs('AWS::Scheduler::Schedule', 1);
  template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'rate(7 days)' });
  template.resourceCountIs('AWS::Events::Rule', 1);
});

test('the README example is the code in README.md', () => {
  const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
  const source = fs.readFileSync(__filename, 'utf8');
  const body = source.slice(source.indexOf('  const pipeline = new TrainingPipeline'), source.indexOf('  return pipeline;'));
  const squash = (text: string) => text.replace(/\s+/g, ' ');
  for (const line of body.split('\n').map((l) => l.trim()).filter(Boolean)) {
    expect(squash(readme)).toContain(squash(line));
  }
});
