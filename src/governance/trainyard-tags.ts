import { Tags, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { TrainyardValidationError } from '../core/errors';
import { TAG_KEYS } from '../core/tag-keys';

/**
 * Whether resources serve production (`trainyard:stage`). A model package group tagged
 * `NON_PRODUCTION` may register models as Approved (MlOps-SageMakerModelApprovalManual).
 */
export enum TrainyardStage {
  /** `production`: models need a manual approval. */
  PRODUCTION = 'production',
  /** `non-production`: a model package group may register models as Approved. */
  NON_PRODUCTION = 'non-production',
}

/**
 * The tag values Trainyard puts on every taggable resource of a scope.
 */
export interface TrainyardTagValues {
  /** The team that owns the resources (`trainyard:team`). */
  readonly teamName: string;

  /** The cost centre charged for them (`trainyard:cost-center`). */
  readonly costCenter: string;

  /**
   * The stage (`trainyard:stage`). A model package group tagged `TrainyardStage.NON_PRODUCTION`
   * may register models as Approved (MlOps-SageMakerModelApprovalManual).
   *
   * @default - no stage tag
   */
  readonly stage?: TrainyardStage;

  /**
   * The project or use case (`trainyard:project`).
   *
   * @default - no project tag
   */
  readonly project?: string;

  /**
   * Further tags, by key. Keys and values follow the AWS tag rules; keys may not start with `aws:`.
   *
   * @default - none
   */
  readonly additionalTags?: { [key: string]: string };
}

/**
 * Tags every taggable resource of a scope, and every stack in it, with the team, cost centre and,
 * optionally, stage and project. The cost tags are what MlOps-GpuResourceCostTagged requires on GPU-bearing
 * resources; cost allocation reports group spend by them once they are activated in the billing
 * console.
 *
 * Tagging is done by CDK's tag Aspect (`Tags.of(scope).add`), so it reaches resources added to the
 * scope later, and tags set closer to a resource win.
 *
 * @example
 * TrainyardTags.apply(teamStack, { teamName: 'fraud', costCenter: 'cc-1234', stage: TrainyardStage.PRODUCTION });
 */
export class TrainyardTags {
  /** `trainyard:team`. */
  public static readonly TEAM_KEY: string = TAG_KEYS.team;
  /** `trainyard:cost-center`. */
  public static readonly COST_CENTER_KEY: string = TAG_KEYS.costCenter;
  /** `trainyard:stage`. */
  public static readonly STAGE_KEY: string = TAG_KEYS.stage;
  /** `trainyard:project`. */
  public static readonly PROJECT_KEY: string = TAG_KEYS.project;
  /** The values `stage` accepts (the `TrainyardStage` values). */
  public static readonly STAGES: string[] = Object.values(TrainyardStage);

  /**
   * Validates the values and tags every taggable resource under `scope` with them.
   *
   * @returns the tags applied, by key
   */
  public static apply(scope: IConstruct, values: TrainyardTagValues): { [key: string]: string } {
    if (!values || typeof values !== 'object') {
      throw new TrainyardValidationError('TrainyardTagValues', 'must give at least teamName and costCenter.');
    }
    const tags: { [key: string]: string } = {};
    const set = (prop: string, key: string, value: string | undefined, required: boolean) => {
      if (value === undefined && !required) return;
      validateTag(`TrainyardTagValues.${prop}`, key, value, required);
      tags[key] = value as string;
    };
    set('teamName', TAG_KEYS.team, values.teamName, true);
    set('costCenter', TAG_KEYS.costCenter, values.costCenter, true);
    if (values.stage !== undefined && !Token.isUnresolved(values.stage) && !TrainyardTags.STAGES.includes(values.stage)) {
      throw new TrainyardValidationError(
        'TrainyardTagValues.stage',
        `must be a TrainyardStage (${TrainyardTags.STAGES.join(', ')}), got '${values.stage}'.`,
      );
    }
    set('stage', TAG_KEYS.stage, values.stage, false);
    set('project', TAG_KEYS.project, values.project, false);
    for (const [key, value] of Object.entries(values.additionalTags ?? {})) {
      // A dedicated prop's key is refused even when that prop is not given: `stage` would skip its check.
      if (tags[key] !== undefined || DEDICATED_KEYS.includes(key)) {
        throw new TrainyardValidationError(`TrainyardTagValues.additionalTags['${key}']`, 'is set by a dedicated prop; use that prop instead.');
      }
      set(`additionalTags['${key}']`, key, value, false);
    }
    for (const [key, value] of Object.entries(tags)) {
      Tags.of(scope).add(key, value);
      // Under CDK's recommended `@aws-cdk/core:explicitStackTags`, the line above no longer tags the
      // stacks themselves; stack tags are what CloudFormation propagates and what `trainyard cost`
      // reads a team stack's team from, so they are added explicitly.
      Tags.of(scope).add(key, value, { includeResourceTypes: ['aws:cdk:stack'] });
    }
    return tags;
  }

  private constructor() {}
}

/** The keys of the dedicated props of TrainyardTagValues. */
const DEDICATED_KEYS: string[] = [TAG_KEYS.team, TAG_KEYS.costCenter, TAG_KEYS.stage, TAG_KEYS.project];

/** The AWS tag rules: key 1-128 and value 0-256 characters of letters, digits, spaces and _ . : / = + - @; no aws: prefix. */
const TAG_CHARACTERS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

function validateTag(prop: string, key: string, value: string | undefined, required: boolean): void {
  if (typeof key !== 'string' || key.length < 1 || key.length > 128 || !TAG_CHARACTERS.test(key) || /^aws:/i.test(key)) {
    throw new TrainyardValidationError(
      prop,
      `tag key '${String(key)}' is not allowed: 1 to 128 letters, digits, spaces and _ . : / = + - @, not starting with 'aws:'.`,
    );
  }
  if (typeof value !== 'string') {
    throw new TrainyardValidationError(prop, `must be a string, got ${typeof value}.`);
  }
  if (Token.isUnresolved(value)) return;
  if (required && value.trim().length === 0) {
    throw new TrainyardValidationError(prop, 'must not be empty: cost allocation needs a value.');
  }
  if (value.length > 256 || !TAG_CHARACTERS.test(value)) {
    throw new TrainyardValidationError(prop, `'${value}' is not a valid tag value: at most 256 letters, digits, spaces and _ . : / = + - @.`);
  }
}

/**
 * Checks a tag key against the AWS tag rules (used by other governance constructs).
 *
 * @internal
 */
export function validateTagKey(prop: string, key: string): void {
  validateTag(prop, key, '', false);
}
