import { Aws, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { scheduleExpressionProblem } from './schedule-expression';
import { TrainyardValidationError } from '../../core/errors';
import { ManagedPolicyGrantee } from '../../core/managed-policy-grantee';
import { PipelineValueType } from '../definition/pipeline-expression';
import type { DriftMonitor } from '../drift-monitor';
import type { DriftTriggerOptions, NewDataTriggerOptions, ScheduleTriggerOptions, TrainingPipeline } from '../training-pipeline';

/**
 * The triggers of a `TrainingPipeline` (schedule, new data, drift): each starts the pipeline through
 * a role of its own that may start this pipeline and nothing else, under the team's permissions
 * boundary. Their constructs are the pipeline's children (`ScheduleTrigger`, `NewDataTrigger2`, ...),
 * numbered per kind.
 *
 * @internal
 */
export class PipelineTriggers {
  private readonly counts = new Map<string, number>();

  constructor(private readonly pipeline: TrainingPipeline) {}

  /** `TrainingPipeline.triggerOnSchedule`: an EventBridge Scheduler schedule that starts the pipeline. */
  public onSchedule(schedule: scheduler.ScheduleExpression, options: ScheduleTriggerOptions): scheduler.Schedule {
    if (!schedule || typeof schedule.expressionString !== 'string') {
      throw new TrainyardValidationError('TrainingPipeline.triggerOnSchedule(schedule)', 'must be a ScheduleExpression.');
    }
    const problem = scheduleExpressionProblem(schedule.expressionString);
    if (problem) {
      throw new TrainyardValidationError('TrainingPipeline.triggerOnSchedule(schedule)', `'${schedule.expressionString}' does not parse: ${problem}.`);
    }
    const parameters = this.checkParameters('TrainingPipeline.triggerOnSchedule(options.parameters)', options.parameters ?? {});
    const id = this.nextTriggerId('ScheduleTrigger');
    const pipeline = this.pipeline;
    const role = this.triggerRole(`${id}Role`, 'scheduler.amazonaws.com');
    const pipelineArn = pipeline.pipelineArn;
    const target: scheduler.IScheduleTarget = {
      bind: () => ({
        arn: pipelineArn,
        role,
        retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 },
        sageMakerPipelineParameters: parameters.length > 0 ? { pipelineParameterList: parameters } : undefined,
      }),
    };
    return new scheduler.Schedule(pipeline, id, {
      schedule,
      target,
      description: options.description ?? `Retrains ${pipeline.pipelineName} on a schedule`,
    });
  }

  /** `TrainingPipeline.triggerOnNewData`: a rule on S3 `Object Created` events under the team's datasets prefix. */
  public onNewData(options: NewDataTriggerOptions): events.Rule {
    const pipeline = this.pipeline;
    const parameterName = options.keyParameterName ?? 'InputDataKey';
    const parameter = pipeline.definition.parameters.find((p) => p.name === parameterName);
    if (!parameter || parameter.valueType !== PipelineValueType.STRING) {
      throw new TrainyardValidationError(
        'TrainingPipeline.triggerOnNewData(options.keyParameterName)',
        `the definition has no String parameter '${parameterName}' to receive the object key` +
        `${parameter ? ` ('${parameterName}' is ${parameter.valueType})` : ''}; declare Parameter.string('${parameterName}') and read the data through it.`,
      );
    }
    const prefix = options.prefix ?? '';
    if (prefix.startsWith('/') || prefix.includes('*')) {
      throw new TrainyardValidationError('TrainingPipeline.triggerOnNewData(options.prefix)', `must be a key prefix below the team prefix without '/' at the start or '*', got '${prefix}'.`);
    }
    const keyPrefix = `${pipeline.environment.datasetsPrefix}${prefix}`;
    const id = this.nextTriggerId('NewDataTrigger');
    return this.startRule(id, `Retrains ${pipeline.pipelineName} when data lands under ${keyPrefix}`, {
      source: ['aws.s3'],
      detailType: ['Object Created'],
      detail: {
        bucket: { name: [pipeline.environment.datasetsBucket.bucketName] },
        object: { key: [options.keySuffix ? { wildcard: `${keyPrefix}*${options.keySuffix}` } : { prefix: keyPrefix }] },
      },
    }, [{ name: parameterName, value: '$.detail.object.key' }]);
  }

  /** `TrainingPipeline.triggerOnDrift`: a rule on the drift alarm going into ALARM. */
  public onDrift(monitor: DriftMonitor, options: DriftTriggerOptions): events.Rule {
    if (!monitor || !monitor.alarm) {
      throw new TrainyardValidationError('TrainingPipeline.triggerOnDrift(monitor)', 'must be a DriftMonitor.');
    }
    const parameters = this.checkParameters('TrainingPipeline.triggerOnDrift(options.parameters)', options.parameters ?? {});
    const id = this.nextTriggerId('DriftTrigger');
    const pipeline = this.pipeline;
    return this.startRule(id, `Retrains ${pipeline.pipelineName} when ${monitor.node.path} detects drift`, {
      source: ['aws.cloudwatch'],
      detailType: ['CloudWatch Alarm State Change'],
      resources: [monitor.alarm.alarmArn],
      detail: { state: { value: ['ALARM'] } },
    }, parameters);
  }

  private startRule(
    id: string, description: string, eventPattern: events.EventPattern, parameters: Array<{ name: string; value: string }>,
  ): events.Rule {
    const pipeline = this.pipeline;
    const role = this.triggerRole(`${id}Role`, 'events.amazonaws.com');
    const pipelineArn = pipeline.pipelineArn;
    // A target of our own rather than one of aws-events-targets: ours has a managed policy and the
    // team's permissions boundary (no inline policy).
    const target: events.IRuleTarget = {
      bind: () => ({ arn: pipelineArn, role, retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 } }),
    };
    const rule = new events.Rule(pipeline, id, { description, eventPattern, targets: [target] });
    // RuleTargetConfig has no field for the SageMaker pipeline parameters: set them, and the target
    // id the rule had as an L1, on the rule's CfnRule.
    const cfnRule = rule.node.defaultChild as events.CfnRule;
    cfnRule.addPropertyOverride('Targets.0.Id', 'StartPipeline');
    if (parameters.length > 0) {
      cfnRule.addPropertyOverride('Targets.0.SageMakerPipelineParameters', { PipelineParameterList: parameters.map((p) => ({ Name: p.name, Value: p.value })) });
    }
    return rule;
  }

  /** A role `servicePrincipal` assumes (from this account only) that may start this pipeline and nothing else. */
  private triggerRole(id: string, servicePrincipal: string): iam.Role {
    const pipeline = this.pipeline;
    const role = new iam.Role(pipeline, id, {
      assumedBy: new iam.ServicePrincipal(servicePrincipal, {
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
      description: `Starts SageMaker pipeline ${pipeline.node.path} and nothing else`,
      permissionsBoundary: pipeline.environment.permissionsBoundary,
    });
    // grantStartExecution is the one definition of what a trigger may do; the grantee keeps it out of an inline policy.
    pipeline.grantStartExecution(new ManagedPolicyGrantee(pipeline, `${id}Policy`, {
      role,
      description: `Start executions of SageMaker pipeline ${pipeline.node.path} only`,
    }));
    return role;
  }

  private checkParameters(prop: string, values: { [name: string]: string }): Array<{ name: string; value: string }> {
    const pipeline = this.pipeline;
    const declared = new Map(pipeline.definition.parameters.map((p) => [p.name, p.valueType]));
    return Object.entries(values).map(([name, value]) => {
      const type = declared.get(name);
      if (type === undefined) {
        throw new TrainyardValidationError(prop, `'${name}' is not a parameter of the pipeline definition (it has ${[...declared.keys()].join(', ') || 'none'}).`);
      }
      if (typeof value !== 'string' || (!Token.isUnresolved(value) && !valueFits(type, value))) {
        throw new TrainyardValidationError(prop, `'${name}' is a ${type} parameter, got '${String(value)}'.`);
      }
      return { name, value };
    });
  }

  /** `ScheduleTrigger`, `ScheduleTrigger2`, ...: stable ids per kind, so adding one kind never renames another. */
  private nextTriggerId(kind: string): string {
    const n = (this.counts.get(kind) ?? 0) + 1;
    this.counts.set(kind, n);
    return n === 1 ? kind : `${kind}${n}`;
  }
}

function valueFits(type: PipelineValueType, value: string): boolean {
  switch (type) {
    case PipelineValueType.INTEGER: return /^-?\d+$/.test(value);
    case PipelineValueType.FLOAT: return value.trim() !== '' && Number.isFinite(Number(value));
    case PipelineValueType.BOOLEAN: return value === 'true' || value === 'false';
    default: return true;
  }
}
