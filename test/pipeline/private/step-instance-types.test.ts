import { Token } from 'aws-cdk-lib';
import { stepInstanceTypes } from '../../../src/pipeline/private/step-instance-types';

describe('stepInstanceTypes (what the guardrails let a pipeline\'s jobs use)', () => {
  test('reads training, instance-group, processing and tuning types, in condition branches too; a parameter counts with its default', () => {
    const definition = {
      Parameters: [{ Name: 'TrainType', Type: 'String', DefaultValue: 'ml.p4d.24xlarge' }],
      Steps: [
        { Name: 'Prep', Type: 'Processing', Arguments: { ProcessingResources: { ClusterConfig: { InstanceType: 'ml.m5.xlarge' } } } },
        { Name: 'Train', Type: 'Training', Arguments: { ResourceConfig: { InstanceType: { Get: 'Parameters.TrainType' } } } },
        {
          Name: 'Gate',
          Type: 'Condition',
          Arguments: {
            IfSteps: [{ Name: 'Hetero', Type: 'Training', Arguments: { ResourceConfig: { InstanceGroups: [{ InstanceType: 'ml.g5.2xlarge' }, { InstanceType: 'ml.c5.xlarge' }] } } }],
            ElseSteps: [{ Name: 'Tune', Type: 'Tuning', Arguments: { TrainingJobDefinition: { ResourceConfig: { InstanceType: 'ml.g5.12xlarge' } } } }],
          },
        },
        { Name: 'Late', Type: 'Processing', Arguments: { ProcessingResources: { ClusterConfig: { InstanceType: Token.asString({ Ref: 'Type' }) } } } },
      ],
    };
    expect(stepInstanceTypes(definition)).toEqual(['ml.c5.xlarge', 'ml.g5.12xlarge', 'ml.g5.2xlarge', 'ml.m5.xlarge', 'ml.p4d.24xlarge']);
  });

  test('a definition without job steps has no instance types', () => {
    expect(stepInstanceTypes({ Steps: [{ Name: 'Fail', Type: 'Fail', Arguments: {} }] })).toEqual([]);
  });
});
