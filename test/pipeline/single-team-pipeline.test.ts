import { Stack, Tags } from 'aws-cdk-lib';
import { definitionSchemaErrors, deployedDefinition } from './definition/definition-rules';
import { platformAndTeam } from './fixtures';
import { addStandardPipeline } from '../../templates/single-team';
import { describeFindings, synthWithCompliance } from '../helpers/synth';

describe('the single-team template with the standard pipeline (fixture app)', () => {
  // GIVEN the template's shape: the platform and a real TrainingEnvironment
  let stack!: Stack;
  const result = synthWithCompliance((app) => {
    const { teamStack, environment } = platformAndTeam(app);
    stack = teamStack;
    addStandardPipeline(teamStack, environment);
    Tags.of(app).add('trainyard:template', 'single-team');
  });
  const template = result.template(stack);

  test('synthesizes with zero unacknowledged findings from every pack', () => {
    expect(describeFindings(result.report)).toEqual([]);
  });

  test('holds one pipeline with a valid definition, a weekly schedule and a new-data rule', () => {
    template.resourceCountIs('AWS::SageMaker::Pipeline', 1);
    expect(definitionSchemaErrors(deployedDefinition(Object.values<any>(template.findResources('AWS::SageMaker::Pipeline'))[0]))).toEqual([]);
    template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'cron(0 3 ? * MON *)' });
    template.resourceCountIs('AWS::Events::Rule', 1);
  });

  test('is environment-agnostic: account ids only in the region-info mappings', () => {
    const { Mappings, ...rest } = template.toJSON();
    expect(Object.keys(Mappings)).toEqual(['DlcRepositoryAccountMap']);
    expect(JSON.stringify(rest)).not.toMatch(/\b\d{12}\b/);
  });

});
