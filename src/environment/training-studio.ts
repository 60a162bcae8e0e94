import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { Construct } from 'constructs';
import { ITeamCapacityShare } from './team-capacity-share';
import { TrainyardValidationError } from '../core/errors';
import { boundedName } from '../core/physical-name';
import { AcknowledgementCatalogue } from '../core/private/acknowledgement-catalogue';
import { acknowledgeWildcards } from '../core/private/wildcard-acknowledgement';
import { validateTeamName } from '../core/team-name';
import { requireDuration, requireName, requireRemovalPolicy } from '../core/validate';
import { IMlPlatform } from '../platform/ml-platform';
import { platformDataStatements } from './private/data-access';
import { requirePlatform, requirePlatformEndpoints } from '../platform/private/platform-checks';
import { IExperimentTracking } from '../registry/experiment-tracking';
import { grantExperimentTracking } from './private/experiment-access';
import { allowPlatformEndpoints, requireS3PrefixListId } from './private/network';

/** CreateDomain `DomainName`: `[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}`. */
const DOMAIN_NAME_RULE = {
  pattern: /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/,
  minLength: 1,
  maxLength: 63,
  description: 'letters, digits and hyphens, starting and ending with a letter or digit (SageMaker domain names)',
};

/** IdleSettings `IdleTimeoutInMinutes`, `MinIdleTimeoutInMinutes` and `MaxIdleTimeoutInMinutes`: 60 to 525,600 minutes. */
const MIN_IDLE_MINUTES = 60;
const MAX_IDLE_MINUTES = 525_600;

/**
 * Properties of a SageMaker Studio domain on the platform.
 */
export interface TrainingStudioProps {
  /** The platform whose isolated subnets, endpoints and key the domain uses. */
  readonly platform: IMlPlatform;

  /**
   * The name of the Studio domain.
   *
   * @default 'trainyard-studio', or 'trainyard-<teamName>' when `teamName` is given
   */
  readonly domainName?: string;

  /**
   * Scopes the default execution role to one team: it reads only `<team>/` in the datasets and
   * artifacts buckets and writes only `<team>/studio/` in the artifacts bucket. The same rule as
   * `TrainingEnvironment.teamName`: lowercase letters, digits and single hyphens, starting with a
   * letter, 2 to 32 characters.
   *
   * @default - no team: the role reads every dataset and artifact and writes nothing to S3
   */
  readonly teamName?: string;

  /**
   * How long a JupyterLab or Code Editor app may sit idle before Studio shuts it down
   * (and stops billing its instance). From 60 minutes to 365 days, in whole minutes.
   *
   * @default Duration.minutes(60)
   */
  readonly idleTimeout?: Duration;

  /**
   * The longest idle timeout a user may choose for their own apps. At least `idleTimeout`.
   *
   * @default Duration.hours(4)
   */
  readonly maxIdleTimeout?: Duration;

  /**
   * The role Studio apps run as.
   *
   * @default - a least-privilege role: its own apps and spaces in this domain, read access to the
   * platform's data (see `teamName`), the platform key, and Studio's log group
   */
  readonly executionRole?: iam.IRole;

  /**
   * The permissions boundary of the default execution role: pass a team's guardrails
   * (`environment.permissionsBoundary`) so Studio users work under the same boundary as the team's
   * jobs and pipelines. A given `executionRole` is not changed: a role imported from elsewhere
   * cannot take a boundary here, its owner sets it.
   *
   * @default - no boundary
   */
  readonly permissionsBoundary?: iam.IManagedPolicy;

  /**
   * The experiment tracking (managed MLflow) Studio users log to and open the MLflow UI of. The
   * default execution role gets the MLflow API on it, its artifact prefix and key, through a
   * customer-managed policy; a given `executionRole` gets nothing.
   *
   * For a team's Studio, give the team's own App (`TrainingEnvironment.experimentTracking`), so the
   * team's notebooks and its jobs log to the same App and no other team's.
   *
   * @default - the platform's shared MLflow App (`MlPlatform.experimentTracking`), if it was created
   * (`PlatformExperimentTrackingMode.TEAM_AND_SHARED`); otherwise none
   */
  readonly experimentTracking?: IExperimentTracking;

  /**
   * The team's quota share of a `TrainingCapacityPool`: the default execution role may submit
   * training jobs to it from notebooks (the SageMaker Python SDK's `TrainingQueue`) and pass the
   * team's execution role. Requires `teamName`, equal to the share's team.
   *
   * @default - no queued training from Studio
   */
  readonly capacityShare?: ITeamCapacityShare;

  /**
   * The id of the region's Amazon S3 prefix list (`pl-...`), to limit the apps' HTTPS egress to S3 to
   * exactly the S3 gateway endpoint's addresses.
   *
   * @default - HTTPS egress to any IPv4 address; the isolated subnets have no internet route, so it reaches only S3
   */
  readonly s3PrefixListId?: string;

  /**
   * What happens to the domain when it is removed from the stack. The users' EFS home volume is
   * kept in every case: SageMaker's DeleteDomain retains it unless told otherwise.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * An optional SageMaker Studio domain on the platform, built as an idle guardrail: apps run only in
 * the platform's isolated subnets (VpcOnly), users sign in through IAM, the home volume and app
 * storage are encrypted with the platform key, and JupyterLab and Code Editor apps shut down after
 * an hour idle by default.
 */
export class TrainingStudio extends Construct implements ec2.IConnectable {
  /** The Studio domain (L1). */
  public readonly domain: sagemaker.CfnDomain;

  /** The domain id (`d-...`). */
  public readonly domainId: string;

  /** The role Studio apps run as. */
  public readonly executionRole: iam.IRole;

  /** The security group of the domain's apps: no internet egress. */
  public readonly securityGroup: ec2.ISecurityGroup;

  /** The security groups of the domain's apps. */
  public readonly connections: ec2.Connections;

  /** The idle timeout of JupyterLab and Code Editor apps (whole minutes). */
  public readonly idleTimeout: Duration;

  private readonly idleTimeoutMinutes: number;

  constructor(scope: Construct, id: string, props: TrainingStudioProps) {
    super(scope, id);
    const platform = requirePlatform('TrainingStudio.platform', props?.platform);
    if (props.teamName !== undefined) {
      validateTeamName('TrainingStudio.teamName', props.teamName);
    }
    if (props.capacityShare !== undefined && props.capacityShare.teamName !== props.teamName) {
      throw new TrainyardValidationError(
        'TrainingStudio.capacityShare',
        `belongs to team '${props.capacityShare.teamName}', but TrainingStudio.teamName is '${props.teamName ?? '(none)'}': a Studio may submit only to its own team's share.`,
      );
    }
    const domainName = props.domainName ?? boundedName(props.teamName ? `trainyard-${props.teamName}` : 'trainyard-studio', DOMAIN_NAME_RULE);
    requireName('TrainingStudio.domainName', domainName, DOMAIN_NAME_RULE);

    const removalPolicy = requireRemovalPolicy('TrainingStudio.removalPolicy', props.removalPolicy);
    requireS3PrefixListId('TrainingStudio.s3PrefixListId', props.s3PrefixListId);

    this.idleTimeout = props.idleTimeout ?? Duration.minutes(60);
    this.idleTimeoutMinutes = wholeMinutes('TrainingStudio.idleTimeout', this.idleTimeout);
    const maxIdleMinutes = wholeMinutes('TrainingStudio.maxIdleTimeout', props.maxIdleTimeout ?? Duration.hours(4));
    if (maxIdleMinutes < this.idleTimeoutMinutes) {
      throw new TrainyardValidationError(
        'TrainingStudio.maxIdleTimeout',
        `must be at least TrainingStudio.idleTimeout (${this.idleTimeoutMinutes} minutes), got ${maxIdleMinutes} minutes.`,
      );
    }

    // ---- Network: apps talk to each other and to the endpoints, nothing else ----------------
    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: platform.vpc,
      description: 'Trainyard Studio apps: HTTPS to AWS endpoints and traffic between the apps of the domain',
      allowAllOutbound: false,
    });
    // Studio needs TCP within the group for app-to-app traffic (at least ports 8192-65535).
    securityGroup.connections.allowInternally(ec2.Port.tcpRange(8192, 65535), 'Studio app-to-app traffic');
    allowPlatformEndpoints(platform, securityGroup, props.s3PrefixListId);
    this.securityGroup = securityGroup;
    this.connections = securityGroup.connections;

    // Studio's own endpoints are needed inside a VpcOnly domain.
    requirePlatformEndpoints('TrainingStudio.platform', platform,
      [ec2.InterfaceVpcEndpointAwsService.SAGEMAKER_API, ec2.InterfaceVpcEndpointAwsService.SAGEMAKER_RUNTIME],
      'a VpcOnly domain reaches SageMaker through them. Keep them in MlPlatform.interfaceEndpoints (MlPlatform.TRAINING_ENDPOINTS has both).');

    const subnetIds = platform.vpc.selectSubnets(platform.trainingSubnets).subnetIds;

    // ---- Execution role ---------------------------------------------------------------------
    if (props.executionRole !== undefined && props.permissionsBoundary !== undefined) {
      throw new TrainyardValidationError(
        'TrainingStudio.permissionsBoundary',
        'applies to the default execution role only; with TrainingStudio.executionRole, set the boundary on that role where it is defined.',
      );
    }
    const role = props.executionRole ?? new iam.Role(this, 'ExecutionRole', {
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
      description: `Trainyard Studio apps of domain ${domainName}: own apps and spaces, read platform data, no full access`,
      permissionsBoundary: props.permissionsBoundary,
    });
    this.executionRole = role;

    const idleSettings: sagemaker.CfnDomain.AppLifecycleManagementProperty = {
      idleSettings: {
        lifecycleManagement: 'ENABLED',
        idleTimeoutInMinutes: this.idleTimeoutMinutes,
        minIdleTimeoutInMinutes: MIN_IDLE_MINUTES,
        maxIdleTimeoutInMinutes: maxIdleMinutes,
      },
    };

    this.domain = new sagemaker.CfnDomain(this, 'Domain', {
      domainName,
      authMode: 'IAM',
      appNetworkAccessType: 'VpcOnly',
      vpcId: platform.vpc.vpcId,
      subnetIds,
      kmsKeyId: platform.encryptionKey.keyArn,
      defaultUserSettings: {
        executionRole: role.roleArn,
        securityGroups: [securityGroup.securityGroupId],
        studioWebPortal: 'ENABLED',
        defaultLandingUri: 'studio::',
        // Notebooks stay in the domain: no sharing of notebook snapshots and outputs to S3.
        sharingSettings: { notebookOutputOption: 'Disabled' },
        jupyterLabAppSettings: { appLifecycleManagement: idleSettings },
        codeEditorAppSettings: { appLifecycleManagement: idleSettings },
      },
      defaultSpaceSettings: {
        executionRole: role.roleArn,
        securityGroups: [securityGroup.securityGroupId],
        jupyterLabAppSettings: { appLifecycleManagement: idleSettings },
      },
    });
    this.domain.applyRemovalPolicy(removalPolicy);
    this.domainId = this.domain.attrDomainId;

    const tracking = props.experimentTracking ?? platform.experimentTracking;
    if (role instanceof iam.Role) {
      this.grantDefaultPermissions(role, platform, props.teamName);
      if (tracking) {
        grantExperimentTracking(this, tracking, role, 'Trainyard Studio apps: log runs to MLflow and open its UI, read and write its artifacts');
      }
      props.capacityShare?.grantSubmit(role);
    }
  }

  private grantDefaultPermissions(role: iam.Role, platform: IMlPlatform, teamName: string | undefined): void {
    const stack = Stack.of(this);
    const inDomain = (resource: string) => stack.formatArn({ service: 'sagemaker', resource, resourceName: `${this.domainId}/*` });
    const prefix = teamName ? `${teamName}/` : '';
    const policy = new iam.ManagedPolicy(this, 'ExecutionPolicy', {
      description: 'Trainyard Studio apps: own apps and spaces in the domain, read platform data, Studio logs',
      roles: [role],
      statements: [
        // Studio manages the user's own apps and spaces through the execution role.
        new iam.PolicyStatement({
          sid: 'AppsAndSpacesOfThisDomain',
          actions: [
            'sagemaker:CreateApp', 'sagemaker:DeleteApp', 'sagemaker:DescribeApp',
            'sagemaker:CreateSpace', 'sagemaker:UpdateSpace', 'sagemaker:DeleteSpace', 'sagemaker:DescribeSpace',
            'sagemaker:DescribeUserProfile', 'sagemaker:AddTags', 'sagemaker:ListTags',
          ],
          resources: [inDomain('app'), inDomain('space'), inDomain('user-profile')],
        }),
        new iam.PolicyStatement({
          sid: 'DescribeThisDomain',
          actions: ['sagemaker:DescribeDomain'],
          resources: [stack.formatArn({ service: 'sagemaker', resource: 'domain', resourceName: this.domainId })],
        }),
        new iam.PolicyStatement({
          sid: 'ListStudioResources',
          actions: ['sagemaker:ListApps', 'sagemaker:ListSpaces'],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          sid: 'StudioLogs',
          actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '/aws/sagemaker/studio:*', arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
        }),
        // Data: read-only, scoped to the team when there is one.
        ...platformDataStatements(platform, {
          readPrefixes: { datasets: prefix, artifacts: prefix },
          writeArtifactsPrefixes: teamName ? [`${prefix}studio/`] : [],
        }),
      ],
    });
    acknowledgeWildcards(policy, AcknowledgementCatalogue.studioExecutionPolicy(teamName !== undefined));
  }
}

/** Converts an idle Duration to whole minutes within the SageMaker IdleSettings range. */
function wholeMinutes(prop: string, value: Duration): number {
  return requireDuration(prop, value, {
    unit: 'minutes',
    min: MIN_IDLE_MINUTES,
    max: MAX_IDLE_MINUTES,
    literalReason: 'the idle settings are checked against each other at synth',
  });
}
