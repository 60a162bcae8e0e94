// The tenant-isolation access matrix: every team role of a multi-team app, simulated against every
// team's resources (test/governance/tenant-isolation.test.ts, docs/tenant-isolation.md).
import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { isAllowed, TemplateResolver } from './access-matrix';
import { newApp } from './synth';
import { GpuBatchCompute } from '../../src/environment/gpu-batch-compute';
import { GpuProfile } from '../../src/environment/gpu-profile';
import { TrainingEnvironment } from '../../src/environment/training-environment';
import { TrainingStudio } from '../../src/environment/training-studio';
import { StandardTrainingRecipe } from '../../src/pipeline/standard-training-recipe';
import { TrainingPipeline } from '../../src/pipeline/training-pipeline';
import { IMlPlatform, MlPlatform } from '../../src/platform/ml-platform';
import { multiTeam } from '../../templates/multi-team';

/** The roles a team has, each a principal of the matrix. */
export const ROLES = ['execution', 'pipeline', 'studio', 'batch job'] as const;
export type RoleKind = typeof ROLES[number];

/** Where a role or resource of a team is: its stack and logical id. */
interface Located { readonly stack: string; readonly logicalId: string }

/** One team of the app, as the matrix needs it. */
export interface TeamHandles {
  readonly team: string;
  readonly roles: Record<RoleKind, Located>;
  readonly mlflowApp: Located;
  readonly studioDomain: Located;
  readonly datasetsBucket: Located;
  readonly artifactsBucket: Located;
}

/** The grants the matrix's sharing scenario makes: fraud shares with forecasting. */
export const SHARING = { owner: 'fraud', reader: 'forecasting', datasetsPrefix: 'shared/' };

function located(c: IConstruct): Located {
  const cfn = (CfnResource.isCfnResource(c) ? c : c.node.defaultChild) as CfnResource;
  const stack = Stack.of(cfn);
  return { stack: stack.stackName, logicalId: stack.resolve(cfn.logicalId) };
}

/**
 * The multi-team template (the example teams file, or `generatedTeams` teams) with, in each team's
 * stack, the roles a team uses besides its execution role: the standard pipeline, a team Studio
 * domain on the team's MLflow App, and GPU Batch compute. With `share`, fraud grants forecasting
 * its `shared/` datasets, its models and its images.
 */
export function buildTenantApp(options: { generatedTeams?: number; share?: boolean } = {}): { assemblyDir: string; teams: TeamHandles[] } {
  const app: App = newApp(options.generatedTeams ? { generatedTeams: options.generatedTeams } : {});
  const stacks = multiTeam(app);
  const platform = stacks[0].node.children.find((c): c is MlPlatform => c instanceof MlPlatform)!;
  const envs: TrainingEnvironment[] = stacks.flatMap((s) =>
    s.node.children.filter((c): c is TrainingEnvironment => c instanceof TrainingEnvironment));
  const teams = envs.map((env) => {
    const stack = Stack.of(env);
    const pipeline = new TrainingPipeline(stack, 'TrainingPipeline', {
      environment: env,
      definition: StandardTrainingRecipe.create({ environment: env, scope: stack }),
    });
    // On the platform as the team's stack imports it (by name, through SSM parameters), as a team app of its own would.
    const imported = stack.node.findChild('Platform') as IMlPlatform;
    const studio = new TrainingStudio(stack, 'Studio', { platform: imported, teamName: env.teamName, experimentTracking: env.experimentTracking });
    const batch = new GpuBatchCompute(stack, 'GpuBatch', { platform: imported, teamName: env.teamName, gpu: GpuProfile.G5_2XLARGE, imageRepository: env.imageRepository });
    const handles: TeamHandles = {
      team: env.teamName,
      roles: {
        'execution': located(env.executionRole),
        'pipeline': located(pipeline.role),
        'studio': located(studio.executionRole),
        'batch job': located(batch.jobRole),
      },
      mlflowApp: located((env.experimentTracking as any).node.defaultChild),
      studioDomain: located(studio.domain),
      datasetsBucket: located(platform.datasetsBucket),
      artifactsBucket: located(platform.artifactsBucket),
    };
    return handles;
  });
  if (options.share) {
    const owner = envs.find((e) => e.teamName === SHARING.owner)!;
    const reader = envs.find((e) => e.teamName === SHARING.reader)!;
    owner.grantDatasetRead(reader, SHARING.datasetsPrefix);
    owner.grantModelRead(reader);
    owner.grantImagePull(reader);
  }
  return { assemblyDir: app.synth().directory, teams };
}

/** The request a cell simulates. */
export interface CellRequest {
  readonly action: string;
  readonly resource: string;
  readonly context?: Record<string, string | string[]>;
}

/** One cell kind: an operation on one team's resource. */
export interface CellKind {
  readonly id: string;
  /** What a reader of the docs sees. */
  readonly label: string;
  readonly request: (owner: TeamHandles, resolver: TemplateResolver) => CellRequest;
}

const bucket = (r: TemplateResolver, b: Located) => r.value(b.stack, { Ref: b.logicalId });
const sagemakerArn = (type: string, name: string) => `arn:aws:sagemaker:us-east-1:123456789012:${type}/${name}`;
const teamTag = (team: string) => ({ 'aws:ResourceTag/trainyard:team': team });

/** The cells of the matrix, for each team's resources: reads and writes of its data, experiments, models, images and jobs. */
export const CELLS: CellKind[] = [
  { id: 'data-r', label: 'datasets read', request: (t, r) => ({ action: 's3:GetObject', resource: `arn:aws:s3:::${bucket(r, t.datasetsBucket)}/${t.team}/raw/train.csv` }) },
  { id: 'data-w', label: 'datasets write', request: (t, r) => ({ action: 's3:PutObject', resource: `arn:aws:s3:::${bucket(r, t.datasetsBucket)}/${t.team}/raw/train.csv` }) },
  { id: 'shared-r', label: `datasets read (${SHARING.datasetsPrefix})`, request: (t, r) => ({ action: 's3:GetObject', resource: `arn:aws:s3:::${bucket(r, t.datasetsBucket)}/${t.team}/${SHARING.datasetsPrefix}features.csv` }) },
  { id: 'art-r', label: 'artifacts read', request: (t, r) => ({ action: 's3:GetObject', resource: `arn:aws:s3:::${bucket(r, t.artifactsBucket)}/${t.team}/artifacts/pipelines-x1/Train/output/model.tar.gz` }) },
  { id: 'art-w', label: 'artifacts write', request: (t, r) => ({ action: 's3:PutObject', resource: `arn:aws:s3:::${bucket(r, t.artifactsBucket)}/${t.team}/artifacts/pipelines-x1/Train/output/model.tar.gz` }) },
  { id: 'mlflow-art-r', label: 'experiment artifacts read', request: (t, r) => ({ action: 's3:GetObject', resource: `arn:aws:s3:::${bucket(r, t.artifactsBucket)}/${t.team}/mlflow/1/0a1b2c/artifacts/model.pkl` }) },
  { id: 'mlflow-art-w', label: 'experiment artifacts write', request: (t, r) => ({ action: 's3:PutObject', resource: `arn:aws:s3:::${bucket(r, t.artifactsBucket)}/${t.team}/mlflow/1/0a1b2c/artifacts/model.pkl` }) },
  { id: 'mlflow-api', label: 'experiment App API', request: (t, r) => ({ action: 'sagemaker:CallMlflowAppApi', resource: r.value(t.mlflowApp.stack, { 'Fn::GetAtt': [t.mlflowApp.logicalId, 'Arn'] }) }) },
  { id: 'models-r', label: 'model group read', request: (t) => ({ action: 'sagemaker:DescribeModelPackageGroup', resource: sagemakerArn('model-package-group', `${t.team}-models`) }) },
  { id: 'models-w', label: 'model register', request: (t) => ({ action: 'sagemaker:CreateModelPackage', resource: sagemakerArn('model-package', `${t.team}-models/1`) }) },
  { id: 'image-r', label: 'image pull', request: (t) => ({ action: 'ecr:BatchGetImage', resource: `arn:aws:ecr:us-east-1:123456789012:repository/${t.team}/training` }) },
  { id: 'image-w', label: 'image push', request: (t) => ({ action: 'ecr:PutImage', resource: `arn:aws:ecr:us-east-1:123456789012:repository/${t.team}/training` }) },
  {
    id: 'job-create',
    label: 'training job create (tagged as the team)',
    request: (t) => ({
      action: 'sagemaker:CreateTrainingJob',
      resource: sagemakerArn('training-job', 'pipelines-x1y2z3-train-abc123'),
      context: { 'aws:RequestTag/trainyard:team': t.team, 'aws:TagKeys': ['trainyard:team'] },
    }),
  },
  { id: 'job-describe', label: 'training job describe', request: (t) => ({ action: 'sagemaker:DescribeTrainingJob', resource: sagemakerArn('training-job', `pipelines-${t.team}1-train-abc123`), context: teamTag(t.team) }) },
  { id: 'job-stop', label: 'training job stop', request: (t) => ({ action: 'sagemaker:StopTrainingJob', resource: sagemakerArn('training-job', `pipelines-${t.team}1-train-abc123`), context: teamTag(t.team) }) },
  {
    id: 'job-tag',
    label: 'training job tag',
    request: (t) => ({
      action: 'sagemaker:AddTags',
      resource: sagemakerArn('training-job', `pipelines-${t.team}1-train-abc123`),
      context: { ...teamTag(t.team), 'aws:RequestTag/trainyard:team': t.team, 'aws:TagKeys': ['trainyard:team'] },
    }),
  },
  { id: 'proc-stop', label: 'processing job stop', request: (t) => ({ action: 'sagemaker:StopProcessingJob', resource: sagemakerArn('processing-job', `pipelines-${t.team}1-validatedata-abc123`), context: teamTag(t.team) }) },
  {
    id: 'space',
    label: 'Studio space open (create app)',
    request: (t, r) => ({ action: 'sagemaker:CreateApp', resource: sagemakerArn('app', `${r.value(t.studioDomain.stack, { 'Fn::GetAtt': [t.studioDomain.logicalId, 'DomainId'] })}/alice/jupyterlab/default`) }),
  },
];

/** `principal team | role | owner team | cell` -> allowed. */
export type Matrix = Map<string, boolean>;
export const cellKey = (principal: string, role: RoleKind, owner: string, cell: string) => `${principal}|${role}|${owner}|${cell}`;

/** Simulates every cell for every role of every team against every team's resources. */
export async function computeMatrix(assemblyDir: string, teams: TeamHandles[], cells: CellKind[] = CELLS): Promise<Matrix> {
  const resolver = TemplateResolver.fromAssembly(assemblyDir);
  const requests = new Map<string, CellRequest>();
  for (const owner of teams) {
    for (const cell of cells) requests.set(`${owner.team}|${cell.id}`, cell.request(owner, resolver));
  }
  const matrix: Matrix = new Map();
  for (const principal of teams) {
    for (const role of ROLES) {
      const where = principal.roles[role];
      const arn = resolver.roleArn(where.stack, where.logicalId);
      const policies = resolver.identityPolicies(where.stack, where.logicalId);
      for (const owner of teams) {
        for (const cell of cells) {
          const request = requests.get(`${owner.team}|${cell.id}`)!;
          matrix.set(cellKey(principal.team, role, owner.team, cell.id), await isAllowed(arn, policies, { ...request, resourceAccount: '123456789012' }));
        }
      }
    }
  }
  return matrix;
}

/** The cells of `matrix` where a role of one team may act on another team's resources. */
export function crossTeamAllowed(matrix: Matrix): string[] {
  return [...matrix.entries()].filter(([key, allowed]) => {
    const [principal, , owner] = key.split('|');
    return allowed && principal !== owner;
  }).map(([key]) => key);
}

/** The cells that differ between two matrices. */
export function difference(before: Matrix, after: Matrix): string[] {
  return [...after.entries()].filter(([key, allowed]) => before.get(key) !== allowed).map(([key, allowed]) => `${key}: ${before.get(key)} -> ${allowed}`);
}

/** A Markdown table per role: rows the principal's team, columns the owner's team, cells what is allowed. */
export function renderMatrix(matrix: Matrix, teams: string[], highlight: Set<string> = new Set()): string {
  const lines: string[] = [];
  for (const role of ROLES) {
    lines.push(`**${role} role** of the team in the row, on the resources of the team in the column:`, '');
    lines.push(`| ${role} role of \\ resources of | ${teams.join(' | ')} |`);
    lines.push(`| --- | ${teams.map(() => '---').join(' | ')} |`);
    for (const principal of teams) {
      const cells = teams.map((owner) => {
        const allowed = CELLS.filter((c) => matrix.get(cellKey(principal, role, owner, c.id)))
          .map((c) => (highlight.has(cellKey(principal, role, owner, c.id)) ? `**${c.label}**` : c.label));
        return allowed.length === 0 ? 'denied' : allowed.join('; ');
      });
      lines.push(`| ${principal} | ${cells.join(' | ')} |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}
