import * as path from 'path';
import {
  CfnResource,
  IPolicyValidationContext,
  IPolicyValidationPlugin,
  PolicyValidationPluginReport,
  PolicyViolatingResource,
  Stack,
  Stage,
} from 'aws-cdk-lib';
import { NagPack, NagPackProps } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { BatchGpuComputeScalesToZero } from './rules/BatchGpuComputeScalesToZero';
import { BatchJobQueueNameGenerated } from './rules/BatchJobQueueNameGenerated';
import { BatchQuotaShareBorrowLimitLendAndBorrow } from './rules/BatchQuotaShareBorrowLimitLendAndBorrow';
import { BatchQuotaShareGuaranteesWithinPool } from './rules/BatchQuotaShareGuaranteesWithinPool';
import { BatchSageMakerQueueRunnableTimeLimit } from './rules/BatchSageMakerQueueRunnableTimeLimit';
import { DataBucketVersioned } from './rules/DataBucketVersioned';
import { EcrRepositoryScanOnPushImmutable } from './rules/EcrRepositoryScanOnPushImmutable';
import { GpuResourceCostTagged } from './rules/GpuResourceCostTagged';
import { IamPolicyMatchesServiceReference } from './rules/IamPolicyMatchesServiceReference';
import { MlflowServerMaintainedEncrypted } from './rules/MlflowServerMaintainedEncrypted';
import { withResolvedResource } from './rules/private/cfn';
import { MlOpsRule } from './rules/private/rule';
import { SageMakerJobInVpc } from './rules/SageMakerJobInVpc';
import { SageMakerJobStorageEncrypted } from './rules/SageMakerJobStorageEncrypted';
import { SageMakerModelApprovalManual } from './rules/SageMakerModelApprovalManual';
import { SageMakerMultiNodeTrainingEncrypted } from './rules/SageMakerMultiNodeTrainingEncrypted';
import { SageMakerPipelineDefinitionReadable } from './rules/SageMakerPipelineDefinitionReadable';
import { SageMakerRoleNoFullAccess } from './rules/SageMakerRoleNoFullAccess';
import { SageMakerSpotTrainingCheckpointed } from './rules/SageMakerSpotTrainingCheckpointed';
import { SageMakerStudioVpcOnlyIdleShutdown } from './rules/SageMakerStudioVpcOnlyIdleShutdown';
import { SageMakerTrainingMaxRuntimeSet } from './rules/SageMakerTrainingMaxRuntimeSet';
import { SageMakerTrainingNetworkIsolated } from './rules/SageMakerTrainingNetworkIsolated';

/**
 * Every rule of the pack, in the order RULES.md lists them.
 *
 * @internal
 */
export const MLOPS_RULES: MlOpsRule[] = [
  SageMakerJobInVpc,
  SageMakerTrainingNetworkIsolated,
  SageMakerMultiNodeTrainingEncrypted,
  SageMakerJobStorageEncrypted,
  SageMakerTrainingMaxRuntimeSet,
  SageMakerSpotTrainingCheckpointed,
  SageMakerModelApprovalManual,
  SageMakerPipelineDefinitionReadable,
  EcrRepositoryScanOnPushImmutable,
  DataBucketVersioned,
  SageMakerStudioVpcOnlyIdleShutdown,
  BatchGpuComputeScalesToZero,
  GpuResourceCostTagged,
  SageMakerRoleNoFullAccess,
  MlflowServerMaintainedEncrypted,
  IamPolicyMatchesServiceReference,
  BatchSageMakerQueueRunnableTimeLimit,
  BatchQuotaShareBorrowLimitLendAndBorrow,
  BatchJobQueueNameGenerated,
  BatchQuotaShareGuaranteesWithinPool,
];

/**
 * Options of the MlOpsChecks pack.
 */
export interface MlOpsChecksProps {
  /**
   * Print each rule's explanation with its finding.
   *
   * @default false
   */
  readonly verbose?: boolean;
}

/**
 * Trainyard's own cdk-nag 3 rule pack: ML-specific rules that the AwsSolutions, NIST and HIPAA packs
 * do not have. It reads inside SageMaker pipeline definitions (Training, Tuning, Processing and
 * RegisterModel steps, Condition branches included) as well as the plain resources: training and
 * processing network placement and encryption, runtime limits, spot checkpoints, model approval,
 * ECR image hygiene, dataset versioning, Studio, GPU Batch scale-to-zero, cost tags, IAM and MLflow.
 *
 * Findings are named `MlOps-<Rule>`; RULES.md lists every rule with its level and reason.
 * `TrainyardCompliance.apply` runs it by default; on its own it is a CDK validation plugin:
 * `Validations.of(app).addPlugins(new MlOpsChecks())`.
 *
 * The rules run in a cdk-nag `NagPack` (acknowledgements through `Acknowledgements.acknowledge`
 * work as for cdk-nag's packs). The pack is wrapped rather than exposed so cdk-nag's types stay out
 * of Trainyard's public API. Each finding also names its template and logical id.
 */
export class MlOpsChecks implements IPolicyValidationPlugin {
  /** The pack's name, the prefix of its finding ids. */
  public static readonly PACK_NAME = 'MlOps';

  /** The ids of every rule of the pack, for example `MlOps-SageMakerJobInVpc`. */
  public static readonly RULE_IDS: string[] = MLOPS_RULES.map((rule) => `${MlOpsChecks.PACK_NAME}-${rule.name}`);

  public readonly name: string = MlOpsChecks.PACK_NAME;
  public readonly ruleIds?: string[] = [...MlOpsChecks.RULE_IDS];

  private readonly pack: MlOpsNagPack;

  constructor(props: MlOpsChecksProps = {}) {
    this.pack = new MlOpsNagPack({ verbose: props.verbose ?? false });
  }

  /** Called by CDK's validation framework with the synthesized app. */
  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const app = (context as any).appConstruct as IConstruct | undefined;
    if (!app) {
      throw new Error('MlOpsChecks needs the construct tree on the validation context (aws-cdk-lib 2.257 or later); call validateScope(app) instead.');
    }
    return this.validateScope(app);
  }

  /**
   * Validates a construct tree directly (tests, or tools that hold the app). Each finding names
   * the template and logical id of its resource.
   */
  public validateScope(scope: IConstruct): PolicyValidationPluginReport {
    const report = this.pack.validateScope(scope);
    const resources = new Map<string, CfnResource>();
    for (const child of scope.node.findAll()) {
      if (CfnResource.isCfnResource(child)) resources.set(child.node.path, child);
    }
    const locate = (violating: PolicyViolatingResource): PolicyViolatingResource => {
      const resource = violating.constructPath ? resources.get(violating.constructPath) : undefined;
      if (!resource) return violating;
      const stack = Stack.of(resource);
      const outdir = Stage.of(stack)?.outdir;
      return {
        ...violating,
        resourceLogicalId: stack.resolve(resource.logicalId),
        templatePath: outdir ? path.join(outdir, stack.templateFile) : stack.templateFile,
      };
    };
    return { ...report, violations: report.violations.map((v) => ({ ...v, violatingResources: v.violatingResources.map(locate) })) };
  }
}

/** The cdk-nag pack that runs the rules. */
class MlOpsNagPack extends NagPack {
  public readonly name: string = MlOpsChecks.PACK_NAME;

  constructor(props: NagPackProps) {
    super(undefined, props);
    this.packName = MlOpsChecks.PACK_NAME;
  }

  protected checkResource(node: CfnResource): void {
    withResolvedResource(node, () => {
      for (const rule of MLOPS_RULES) {
        this.applyRule({
          ruleSuffixOverride: rule.name,
          info: rule.info,
          explanation: rule.explanation,
          level: rule.level,
          node,
          rule: rule.check,
        });
      }
    });
  }
}
