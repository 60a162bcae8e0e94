import { PipelineExpression } from './pipeline-expression';
import { JobStepProps, PipelineStep } from './pipeline-step';
import { checkStepCache, renderJobStepOptions, StepRenderContext } from './private/render';
import { PropertyReference } from './property-reference';
import { RetryPolicy } from './retry-policy';
import { TrainyardValidationError } from '../../core/errors';
import { requireName } from '../../core/validate';
import { ITrainingEnvironment } from '../../environment/training-environment';

/**
 * The approval status a registered model version starts with.
 */
export enum ModelApprovalStatus {
  /** A person (or an automated check) must approve the version before it deploys. */
  PENDING_MANUAL_APPROVAL = 'PendingManualApproval',
  /** Approved at once: only for pipelines whose gate is the whole review. */
  APPROVED = 'Approved',
  /** Registered for the record, never deployed. */
  REJECTED = 'Rejected',
}

/**
 * A metrics report attached to a model version (`ModelMetrics`), shown in the model registry.
 */
export interface ModelMetricsReport {
  /** The S3 URI of the report, for example the evaluation step's `evaluation.json`. */
  readonly s3Uri: PipelineExpression;
  /**
   * The report's MIME type.
   *
   * @default 'application/json'
   */
  readonly contentType?: string;
}

/**
 * Properties of a register-model step.
 */
export interface RegisterModelStepProps extends JobStepProps {
  /** The team environment: its model package group is the default target. */
  readonly environment: ITrainingEnvironment;
  /** The S3 URI of the model artifacts, usually `train.modelArtifactsUri`. */
  readonly modelDataUrl: PipelineExpression;
  /** The inference image URI. */
  readonly inferenceImageUri: string;
  /**
   * The model package group to register into.
   *
   * @default - the environment's `modelPackageGroupName`; the definition fails validation when neither is set
   */
  readonly modelPackageGroupName?: string;
  /**
   * The status the new version starts with.
   *
   * @default ModelApprovalStatus.PENDING_MANUAL_APPROVAL
   */
  readonly approvalStatus?: ModelApprovalStatus;
  /**
   * The request MIME types the model accepts.
   *
   * @default ['text/csv']
   */
  readonly contentTypes?: string[];
  /**
   * The response MIME types the model returns.
   *
   * @default ['text/csv']
   */
  readonly responseTypes?: string[];
  /**
   * Instance types for real-time inference.
   *
   * @default ['ml.m5.large']
   */
  readonly inferenceInstanceTypes?: string[];
  /**
   * Instance types for batch transform.
   *
   * @default ['ml.m5.large']
   */
  readonly transformInstanceTypes?: string[];
  /**
   * The model-quality metrics report.
   *
   * @default - none attached
   */
  readonly modelQualityMetrics?: ModelMetricsReport;
  /**
   * The model version's description.
   *
   * @default - none
   */
  readonly modelPackageDescription?: string;
}

/**
 * A step that registers the trained model as a new version in a model package group (the team's
 * model registry), `PendingManualApproval` by default, with its metrics attached.
 */
export class RegisterModelStep extends PipelineStep {
  /** The model package group the step registers into, if known. */
  public readonly modelPackageGroupName?: string;
  private readonly props: RegisterModelStepProps;
  private readonly retryPolicies: RetryPolicy[];

  constructor(props: RegisterModelStepProps) {
    super('RegisterModel', props);
    if (!props.environment) {
      throw new TrainyardValidationError(`RegisterModelStep(${props.name}).environment`, 'is required: the team environment whose model registry the step uses.');
    }
    if (!(props.modelDataUrl instanceof PipelineExpression)) {
      throw new TrainyardValidationError(`RegisterModelStep(${props.name}).modelDataUrl`, 'is required: the S3 URI of the model artifacts, usually train.modelArtifactsUri.');
    }
    if (typeof props.inferenceImageUri !== 'string' || props.inferenceImageUri.length === 0) {
      throw new TrainyardValidationError(`RegisterModelStep(${props.name}).inferenceImageUri`, 'is required: the URI of the image that serves the model.');
    }
    requireName(`RegisterModelStep(${props.name}).modelPackageGroupName`, props.modelPackageGroupName, {
      pattern: /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/,
      minLength: 1,
      maxLength: 63,
      description: 'a model package group name: letters, digits and hyphens, starting and ending with a letter or digit, 1 to 63 characters',
    });
    this.props = props;
    this.modelPackageGroupName = props.modelPackageGroupName ?? props.environment.modelPackageGroupName;
    checkStepCache(`RegisterModelStep(${props.name})`, props.cache);
    this.retryPolicies = props.retryPolicies ?? [RetryPolicy.serviceDefaults()];
  }

  /** The ARN of the registered model version. */
  public get modelPackageArn(): PropertyReference {
    return this.property('ModelPackageArn');
  }

  /** @internal */
  public _validate(): string[] {
    return this.modelPackageGroupName === undefined
      ? [`has no model package group: set RegisterModelStepProps.modelPackageGroupName, or give team '${this.props.environment.teamName}' a model registry`]
      : [];
  }

  /** @internal */
  protected _renderArguments(_context: StepRenderContext): any {
    const p = this.props;
    return {
      ModelPackageGroupName: this.modelPackageGroupName ?? '',
      ModelApprovalStatus: p.approvalStatus ?? ModelApprovalStatus.PENDING_MANUAL_APPROVAL,
      InferenceSpecification: {
        Containers: [{ Image: p.inferenceImageUri, ModelDataUrl: this.value(p.modelDataUrl) }],
        SupportedContentTypes: [...(p.contentTypes ?? ['text/csv'])],
        SupportedResponseMIMETypes: [...(p.responseTypes ?? ['text/csv'])],
        SupportedRealtimeInferenceInstanceTypes: [...(p.inferenceInstanceTypes ?? ['ml.m5.large'])],
        SupportedTransformInstanceTypes: [...(p.transformInstanceTypes ?? ['ml.m5.large'])],
      },
      ...(p.modelQualityMetrics ? {
        ModelMetrics: {
          ModelQuality: {
            Statistics: { ContentType: p.modelQualityMetrics.contentType ?? 'application/json', S3Uri: this.value(p.modelQualityMetrics.s3Uri) },
          },
        },
      } : {}),
      ...(p.modelPackageDescription !== undefined ? { ModelPackageDescription: p.modelPackageDescription } : {}),
    };
  }

  /** @internal */
  protected _renderStepOptions(_context: StepRenderContext): any {
    return renderJobStepOptions(this.props.cache, this.retryPolicies);
  }

  protected propertyRoots(): string[] {
    return ['ModelPackageArn', 'ModelPackageName', 'ModelPackageGroupName', 'ModelPackageVersion', 'ModelApprovalStatus', 'ModelPackageStatus', 'CreationTime'];
  }
}
