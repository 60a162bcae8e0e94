import { RunTags } from '../../../registry/run-tags';

/**
 * The tag keys of a training run's provenance, from the registries' `RunTags` so the keys live in
 * one place.
 */
export const RUN_TAG_KEYS = {
  /** The git commit of the training code. */
  gitSha: RunTags.GIT_SHA,
  /** The version of the dataset the run trained on. */
  datasetVersion: RunTags.DATASET_VERSION,
  /** A hash of the run's configuration (hyperparameters, recipe). */
  configHash: RunTags.CONFIG_HASH,
  /** The team that owns the run. */
  team: RunTags.TEAM,
} as const;
