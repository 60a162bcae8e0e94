import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as budgets from 'aws-cdk-lib/aws-budgets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { TrainyardValidationError } from '../../core/errors';
import { TrainyardKey } from '../../core/trainyard-key';
import { requireEmailList } from '../../core/validate';

/** AWS Budgets: at most 10 email subscribers per notification. */
const MAX_ALERT_EMAILS = 10;

/** The budget props of a `TrainingEnvironment`. @internal */
export interface TeamBudgetProps {
  readonly monthlyBudgetUsd?: number;
  readonly alarmEmails?: string[];
  readonly budgetTopic?: sns.ITopic;
}

/** A team's budget and the topic its alerts are published to. @internal */
export interface TeamBudget {
  readonly budget: budgets.CfnBudget;
  readonly topic: sns.ITopic;
}

/**
 * Checks the budget props of a `TrainingEnvironment`: a positive amount, and alert emails or a topic
 * only with an amount.
 *
 * @internal
 */
export function validateBudgetProps(props: TeamBudgetProps): void {
  const amount = props.monthlyBudgetUsd;
  if (amount !== undefined) {
    if (typeof amount !== 'number' || !Number.isFinite(amount) || amount <= 0) {
      throw new TrainyardValidationError('TrainingEnvironment.monthlyBudgetUsd', `must be a positive amount in USD, got ${String(amount)}.`);
    }
  }
  if (props.alarmEmails !== undefined) {
    if (amount === undefined) {
      throw new TrainyardValidationError('TrainingEnvironment.alarmEmails', 'needs TrainingEnvironment.monthlyBudgetUsd: alerts are sent by the budget.');
    }
    requireEmailList('TrainingEnvironment.alarmEmails', props.alarmEmails, MAX_ALERT_EMAILS, 'the AWS Budgets limit');
  }
  if (props.budgetTopic !== undefined && amount === undefined) {
    throw new TrainyardValidationError('TrainingEnvironment.budgetTopic', 'needs TrainingEnvironment.monthlyBudgetUsd: alerts are sent by the budget.');
  }
}

/**
 * A team's monthly AWS Budgets cost budget, created under `scope` (the `TrainingEnvironment`, id
 * `Budget`), filtered on the team's cost-allocation tag, with alerts at 80% of actual and 100% of
 * forecast spend to the topic and the emails. Without a topic, a new one (`BudgetAlerts`) encrypted
 * with a new rotating key (`AlertsKey`) that AWS Budgets may use. The topic's policy lets AWS Budgets
 * publish (a no-op for imported topics, whose policy their owner manages).
 *
 * @internal
 */
export function createTeamBudget(scope: Construct, team: {
  readonly teamName: string;
  readonly monthlyBudgetUsd: number;
  readonly alarmEmails?: string[];
  readonly budgetTopic?: sns.ITopic;
  readonly removalPolicy: RemovalPolicy;
  readonly tags: { [key: string]: string };
}): TeamBudget {
  const stack = Stack.of(scope);
  const topic = team.budgetTopic ?? createBudgetTopic(scope, team.teamName, team.removalPolicy);
  // A no-op for imported topics, whose policy their owner manages.
  topic.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'AllowAwsBudgetsToPublish',
    principals: [new iam.ServicePrincipal('budgets.amazonaws.com')],
    actions: ['sns:Publish'],
    resources: [topic.topicArn],
    conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
  }));
  const subscribers: budgets.CfnBudget.SubscriberProperty[] = [
    { subscriptionType: 'SNS', address: topic.topicArn },
    ...(team.alarmEmails ?? []).map((address) => ({ subscriptionType: 'EMAIL', address })),
  ];
  const notification = (notificationType: string, threshold: number): budgets.CfnBudget.NotificationWithSubscribersProperty => ({
    notification: { notificationType, comparisonOperator: 'GREATER_THAN', threshold, thresholdType: 'PERCENTAGE' },
    subscribers,
  });
  const budget = new budgets.CfnBudget(scope, 'Budget', {
    budget: {
      budgetType: 'COST',
      timeUnit: 'MONTHLY',
      budgetLimit: { amount: team.monthlyBudgetUsd, unit: 'USD' },
      // Only costs tagged with the team's cost-allocation tag count against its budget.
      costFilters: { TagKeyValue: [`user:trainyard:team$${team.teamName}`] },
    },
    notificationsWithSubscribers: [notification('ACTUAL', 80), notification('FORECASTED', 100)],
    resourceTags: Object.entries(team.tags).map(([key, value]) => ({ key, value })),
  });
  return { budget, topic };
}

/** The budget alerts topic of a team: TLS-only, encrypted with a new rotating key AWS Budgets may use. */
function createBudgetTopic(scope: Construct, teamName: string, removalPolicy: RemovalPolicy): sns.ITopic {
  const stack = Stack.of(scope);
  const key = new TrainyardKey(scope, 'AlertsKey', {
    description: `Trainyard ${teamName} budget alerts topic key (${scope.node.path})`,
    removalPolicy,
  });
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'AllowAwsBudgetsToUseTheKey',
    principals: [new iam.ServicePrincipal('budgets.amazonaws.com')],
    actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
    resources: ['*'],
    conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
  }));
  return new sns.Topic(scope, 'BudgetAlerts', {
    displayName: `Trainyard ${teamName} budget alerts`,
    masterKey: key,
    enforceSSL: true,
  });
}
