import * as fs from 'fs';
import * as path from 'path';
import { DeployTimeValues } from './cfn-values';
import { EvaluationError } from './expressions';
import type { AssetIndex } from './pipeline-source';

/**
 * The key a local run gives the data parameter, so every S3 URI built from it is recognised as the
 * `--data` sample whatever bucket it names.
 */
export const LOCAL_DATA_KEY = 'trainyard-local-data';

/** Where an S3 URI's objects come from in a local run. */
export interface LocalSource {
  /** A file or a folder. */
  readonly path: string;
  /** The `--data` sample, a code asset of cdk.out, or what an earlier step wrote. */
  readonly kind: 'data' | 'asset' | 'object';
}

/**
 * S3 as a local run sees it: one folder per bucket under `<root>/s3` (deploy-time bucket names
 * get a folder named after the value they stand for), the `--data` sample wherever the data
 * parameter is used, and the file assets of cdk.out at their S3 locations.
 */
export class LocalS3 {
  /** The folder that holds the buckets. */
  public readonly root: string;

  constructor(workRoot: string, private readonly values: DeployTimeValues, private readonly assets: AssetIndex, private readonly data: string) {
    this.root = path.join(workRoot, 's3');
  }

  /** The local path of an S3 object or prefix (`s3://bucket/a/b` -> `<root>/bucket/a/b`). */
  public pathOf(uri: string): string {
    const { bucket, key } = this.parse(uri);
    const folder = this.values.replace(bucket, (v) => v.folderName);
    return path.join(this.root, folder, ...key.split('/').filter((s) => s.length > 0));
  }

  /** Where the objects of `uri` are locally, if anywhere. */
  public source(uri: string): LocalSource | undefined {
    const { bucket, key } = this.parse(uri);
    const data = bucket === LOCAL_DATA_KEY ? key : key === LOCAL_DATA_KEY || key.startsWith(`${LOCAL_DATA_KEY}/`) ? key.slice(LOCAL_DATA_KEY.length) : undefined;
    if (data !== undefined) {
      const rest = data.split('/').filter((s) => s.length > 0);
      if (rest.length > 0 && !fs.statSync(this.data).isDirectory()) {
        throw new EvaluationError(`${uri} reads '${rest.join('/')}' under the data, but --data ${this.data} is a file; pass a folder`);
      }
      return { path: path.join(this.data, ...rest), kind: 'data' };
    }
    const asset = this.assets.get(uri);
    if (asset) {
      return { path: asset, kind: 'asset' };
    }
    const local = this.pathOf(uri);
    return fs.existsSync(local) ? { path: local, kind: 'object' } : undefined;
  }

  /**
   * Copies the objects of `uri` into `destination` as SageMaker downloads an `S3Prefix` input: a
   * prefix's objects under their relative paths, a single object under its file name.
   */
  public stage(uri: string, destination: string, what: string): LocalSource {
    const source = this.source(uri);
    if (!source || !fs.existsSync(source.path)) {
      throw new EvaluationError(
        `${what} reads ${this.values.describe(uri)}, which is not the --data sample, not a file asset of cdk.out and not written by an earlier step (looked in ${source?.path ?? this.pathOf(uri)})`,
      );
    }
    fs.mkdirSync(destination, { recursive: true });
    if (fs.statSync(source.path).isDirectory()) {
      fs.cpSync(source.path, destination, { recursive: true });
    } else {
      fs.copyFileSync(source.path, path.join(destination, path.basename(source.kind === 'asset' ? this.parse(uri).key : source.path)));
    }
    return source;
  }

  /** Moves what a job wrote in `directory` to the local location of `uri`, as an upload would. */
  public publish(directory: string, uri: string): string {
    const target = this.pathOf(uri);
    fs.rmSync(target, { recursive: true, force: true });
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.renameSync(directory, target);
    return target;
  }

  /** The parsed JSON object at `uri`. */
  public readJson(uri: string): any {
    const file = this.source(uri)?.path;
    if (!file || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      throw new EvaluationError(`no JSON file at ${this.values.describe(uri)} (looked in ${this.pathOf(uri)})`);
    }
    try {
      return JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (e) {
      throw new EvaluationError(`${file} is not valid JSON (${(e as Error).message})`);
    }
  }

  private parse(uri: string): { bucket: string; key: string } {
    const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
    if (!m) {
      throw new EvaluationError(`'${this.values.describe(uri)}' is not an S3 URI`);
    }
    if (m[2].split('/').includes('..')) {
      throw new EvaluationError(`${uri} has a '..' segment`);
    }
    return { bucket: m[1], key: m[2] };
  }
}
