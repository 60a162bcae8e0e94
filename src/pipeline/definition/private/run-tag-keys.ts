import { TAG_KEYS } from '../../../core/tag-keys';

/**
 * The tag keys of a training run's provenance. The registries issue adds a public `RunTags` helper
 * with the same keys; swap this object for it when it lands, so the keys live in one place.
 */
export const RUN_TAG_KEYS = {
  /** The git commit of the training code. */
  gitSha: 'trainyard:git-sha',
  /** The version of the dataset the run trained on. */
  datasetVersion: 'trainyard:dataset-version',
  /** A hash of the run's configuration (hyperparameters, recipe). */
  configHash: 'trainyard:config-hash',
  /** The team that owns the run (the core cost-allocation key). */
  team: TAG_KEYS.team,
} as const;
