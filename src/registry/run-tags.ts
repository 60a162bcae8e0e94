import { Token } from 'aws-cdk-lib';
import { TrainyardValidationError } from '../core/errors';

/**
 * The values every training run carries as tags (on the training job, the pipeline execution and
 * the MLflow run), so any result can be traced back to its code, data and configuration.
 */
export interface RunTagValues {
  /** The git commit of the training code: 7 to 40 hexadecimal characters. */
  readonly gitSha: string;

  /** The dataset version the run trained on, for example `2024-05-01` or an S3 version id. */
  readonly datasetVersion: string;

  /** A hash of the run's configuration (hyperparameters, instance type, ...), for duplicate-run detection. */
  readonly configHash: string;

  /** The team that owns the run: lowercase letters, digits and hyphens. */
  readonly teamName: string;
}

/**
 * One tag (key and value).
 */
export interface RunTag {
  /** The tag key. */
  readonly key: string;
  /** The tag value. */
  readonly value: string;
}

/** Characters AWS allows in tag values (letters, digits, spaces and `_ . : / = + - @`). */
const TAG_VALUE_PATTERN = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/**
 * The tag keys every run must carry, and a typed helper that validates the values and returns the tags.
 *
 * ```ts
 * const tags = RunTags.of({ gitSha: 'a1b2c3d', datasetVersion: '2024-05-01', configHash: '9f8e7d', teamName: 'fraud' });
 * ```
 */
export class RunTags {
  /** The git commit of the training code. */
  public static readonly GIT_SHA = 'trainyard:git-sha';
  /** The dataset version the run trained on. */
  public static readonly DATASET_VERSION = 'trainyard:dataset-version';
  /** The hash of the run's configuration. */
  public static readonly CONFIG_HASH = 'trainyard:config-hash';
  /** The team that owns the run. */
  public static readonly TEAM = 'trainyard:team';

  /** Every required key, in a fixed order. */
  public static readonly REQUIRED_KEYS: string[] = [RunTags.GIT_SHA, RunTags.DATASET_VERSION, RunTags.CONFIG_HASH, RunTags.TEAM];

  /**
   * Validates the values and returns the four tags, in the order of `REQUIRED_KEYS`.
   * Tokens (pipeline parameters, execution variables) pass through unchecked.
   */
  public static of(values: RunTagValues): RunTag[] {
    if (!values || typeof values !== 'object') {
      throw new TrainyardValidationError('RunTagValues', 'must give gitSha, datasetVersion, configHash and teamName.');
    }
    check('RunTagValues.gitSha', values.gitSha, /^[0-9a-f]{7,40}$/, '7 to 40 lowercase hexadecimal characters (a git commit id)');
    check('RunTagValues.datasetVersion', values.datasetVersion, TAG_VALUE_PATTERN, 'a tag value of 1 to 256 letters, digits, spaces or _ . : / = + - @');
    check('RunTagValues.configHash', values.configHash, /^[A-Za-z0-9_.:=+\-]{1,128}$/, '1 to 128 letters, digits or _ . : = + -');
    check('RunTagValues.teamName', values.teamName, /^[a-z0-9](-*[a-z0-9])*$/, 'lowercase letters, digits and hyphens, starting and ending with a letter or digit');
    return [
      { key: RunTags.GIT_SHA, value: values.gitSha },
      { key: RunTags.DATASET_VERSION, value: values.datasetVersion },
      { key: RunTags.CONFIG_HASH, value: values.configHash },
      { key: RunTags.TEAM, value: values.teamName },
    ];
  }

  /** The same tags as a key-to-value map (the shape of `TrainingJobDefaults.tags`). */
  public static toRecord(values: RunTagValues): { [key: string]: string } {
    return Object.fromEntries(RunTags.of(values).map((t) => [t.key, t.value]));
  }

  /** The required keys that `tags` lacks (empty when the run is fully tagged). */
  public static missingKeys(tags: { [key: string]: string }): string[] {
    return RunTags.REQUIRED_KEYS.filter((key) => typeof tags?.[key] !== 'string' || tags[key].length === 0);
  }

  private constructor() {}
}

function check(prop: string, value: string, pattern: RegExp, description: string): void {
  if (Token.isUnresolved(value)) {
    return;
  }
  if (typeof value !== 'string' || value.length === 0 || value.length > 256 || !pattern.test(value)) {
    throw new TrainyardValidationError(prop, `must be ${description}, got '${String(value)}'.`);
  }
}
