/**
 * The tag keys Trainyard's rules read and `TrainyardTags` writes. Listed in RULES.md.
 *
 * @internal
 */
export const TAG_KEYS = {
  /** The team that owns a resource (cost allocation). */
  team: 'trainyard:team',
  /** The cost centre charged for a resource (cost allocation). */
  costCenter: 'trainyard:cost-center',
  /** `production` or `non-production`; a model package group tagged `non-production` may auto-approve. */
  stage: 'trainyard:stage',
  /** The project or use case. */
  project: 'trainyard:project',
  /** On S3 buckets: `dataset` or `artifact` marks a bucket that holds training data or model artifacts. */
  dataClass: 'trainyard:data-class',
} as const;

/** The tag keys every GPU-bearing resource must carry (MlOps-GpuResourceCostTagged). @internal */
export const REQUIRED_COST_TAG_KEYS: string[] = [TAG_KEYS.team, TAG_KEYS.costCenter];

/** The `trainyard:stage` value that lets a model package group auto-approve. @internal */
export const NON_PRODUCTION = 'non-production';

/** The `trainyard:data-class` values whose buckets MlOps-DataBucketVersioned checks. @internal */
export const DATA_CLASSES_REQUIRING_VERSIONING: string[] = ['dataset', 'artifact'];
