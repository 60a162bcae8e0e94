import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CloudAssemblyView } from '../../../src/cli/cloud-assembly';
import { DeployTimeValues, resolveCfnValue } from '../../../src/cli/local-run/cfn-values';
import { rewriteContainerPaths } from '../../../src/cli/local-run/container-paths';
import { describeProcessFailure, missingPythonModule } from '../../../src/cli/local-run/job-process';
import { LOCAL_DATA_KEY, LocalS3 } from '../../../src/cli/local-run/local-s3';
import { resolveParameters } from '../../../src/cli/local-run/parameters';
import { choosePipeline, findPipelines, indexFileAssets, parseDefinitionBody } from '../../../src/cli/local-run/pipeline-source';

describe('deploy-time values', () => {
  const parameters = {
    DatasetsBucketName: { Type: 'AWS::SSM::Parameter::Value<String>', Default: '/trainyard/Trainyard/datasets-bucket-name' },
    Stage: { Type: 'String', Default: 'dev' },
  };

  test('GIVEN pseudo parameters, Fn::Sub, an import, an SSM parameter and a plain parameter THEN stand-ins or placeholders', () => {
    const table = new DeployTimeValues();
    const resolve = (v: any) => resolveCfnValue(v, table, { parameters });
    expect(resolve({ 'Fn::Sub': 'cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}' })).toBe('cdk-hnb659fds-assets-000000000000-local');
    expect(resolve({ Ref: 'Stage' })).toBe('dev');
    const imported = resolve({ 'Fn::ImportValue': 'Trainyard-Platform:ExportsOutputRefPlatformDatasetsBucket3DF1E2FF7F497641' });
    const ssm = resolve({ Ref: 'DatasetsBucketName' });
    expect(table.inside(`s3://${imported}/a`)).toEqual([{
      description: 'Fn::ImportValue Trainyard-Platform:ExportsOutputRefPlatformDatasetsBucket3DF1E2FF7F497641',
      folderName: 'Trainyard-Platform-PlatformDatasetsBucket3DF1E2FF7F497641',
    }]);
    expect(table.inside(ssm)[0]).toEqual({
      description: 'the SSM parameter /trainyard/Trainyard/datasets-bucket-name (template parameter DatasetsBucketName)',
      folderName: 'ssm-trainyard-Trainyard-datasets-bucket-name',
    });
    expect(table.describe(`${imported}|${ssm}`)).toMatch(/^<Fn::ImportValue .*>\|<the SSM parameter .*>$/);
    expect(DeployTimeValues.isUnresolved(resolve({ 'Fn::GetAtt': ['Role', 'Arn'] }))).toBe(true);
  });

  test('GIVEN a definition body joined with deploy-time values THEN it parses, the values escaped inside their JSON strings', () => {
    const table = new DeployTimeValues();
    const body = { 'Fn::Join': ['', ['{"Steps":[],"RoleArn":"', { 'Fn::GetAtt': ['Role', 'Arn'] }, '","Image":"', { 'Fn::FindInMap': ['M', { Ref: 'AWS::Region' }, 'v'] }, '"}']] };
    const definition = parseDefinitionBody('P', body, table, { mappings: { M: { local: { v: 'quote"d' } } } });
    expect(definition.Image).toBe('quote"d');
    expect(table.describe(definition.RoleArn)).toBe('<Fn::GetAtt Role.Arn>');
  });

  test('GIVEN a dynamic SSM reference in the body THEN it is a deploy-time value whose bucket folder is named after the parameter', () => {
    const table = new DeployTimeValues();
    const definition = parseDefinitionBody('P', '{"Uri":"s3://{{resolve:ssm:/trainyard/Trainyard/artifacts-bucket}}/models/"}', table);
    expect(table.describe(definition.Uri)).toBe('s3://<the dynamic reference {{resolve:ssm:/trainyard/Trainyard/artifacts-bucket}}>/models/');
    expect(table.inside(definition.Uri)[0].folderName).toBe('ssm-trainyard-Trainyard-artifacts-bucket');
  });
});

describe('local S3', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'trainyard-local-s3-'));
  const cdkOut = path.join(work, 'cdk.out');
  fs.mkdirSync(cdkOut);
  fs.writeFileSync(path.join(cdkOut, 'asset.abc.tar.gz'), 'archive');
  fs.writeFileSync(path.join(cdkOut, 'Team.assets.json'), JSON.stringify({
    files: { abc: { source: { path: 'asset.abc.tar.gz', packaging: 'file' }, destinations: { d: { bucketName: 'cdk-assets-${AWS::AccountId}-${AWS::Region}', objectKey: 'abc.gz' } } } },
  }));
  const data = path.join(work, 'sample.csv');
  fs.writeFileSync(data, 'a,label\n1,0\n');
  const table = new DeployTimeValues();
  const bucket = table.add('Fn::ImportValue Artifacts', 'Platform-Artifacts');
  const s3 = new LocalS3(path.join(work, 'run'), table, indexFileAssets(cdkOut), data);

  test('an asset URI stages the asset file under its object name; the data key stages --data', () => {
    const dest = path.join(work, 'code');
    expect(s3.stage('s3://cdk-assets-000000000000-local/abc.gz', dest, 'input code').kind).toBe('asset');
    expect(fs.readdirSync(dest)).toEqual(['abc.gz']);
    const dataDest = path.join(work, 'data');
    expect(s3.stage(`s3://${bucket}/${LOCAL_DATA_KEY}/`, dataDest, 'input data').kind).toBe('data');
    expect(fs.readdirSync(dataDest)).toEqual(['sample.csv']);
  });

  test('outputs published under a deploy-time bucket land in its folder and are read back by later steps', () => {
    const out = path.join(work, 'job-out');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'evaluation.json'), '{"metrics":{"auc":0.9}}');
    const uri = `s3://${bucket}/ml/pipelines/local-1/Evaluate/evaluation`;
    expect(s3.publish(out, uri)).toBe(path.join(work, 'run', 's3', 'Platform-Artifacts', 'ml', 'pipelines', 'local-1', 'Evaluate', 'evaluation'));
    expect(s3.readJson(`${uri}/evaluation.json`)).toEqual({ metrics: { auc: 0.9 } });
  });

  test('a definition stored as an S3 asset (PipelineDefinitionS3Location) is read from the asset file', () => {
    const dir = path.join(work, 'stored');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'asset.def.json'), JSON.stringify({ Version: '2020-12-01', Steps: [{ Name: 'Only', Type: 'Fail' }] }));
    fs.writeFileSync(path.join(dir, 'Team.assets.json'), JSON.stringify({
      files: { def: { source: { path: 'asset.def.json', packaging: 'file' }, destinations: { d: { bucketName: 'cdk-assets-${AWS::AccountId}-${AWS::Region}', objectKey: 'def.json' } } } },
    }));
    fs.writeFileSync(path.join(dir, 'Team.template.json'), JSON.stringify({
      Resources: {
        Stored: {
          Type: 'AWS::SageMaker::Pipeline',
          Properties: { PipelineName: 'stored', PipelineDefinition: { PipelineDefinitionS3Location: { Bucket: { 'Fn::Sub': 'cdk-assets-${AWS::AccountId}-${AWS::Region}' }, Key: 'def.json' } } },
        },
      },
    }));
    const pipeline = choosePipeline(findPipelines(CloudAssemblyView.open(dir), indexFileAssets(dir)), 'stored', dir);
    expect(pipeline.id).toBe('Team/Stored');
    expect(pipeline.definition.Steps[0].Name).toBe('Only');
  });

  test('a URI nobody wrote fails naming it and the deploy-time value', () => {
    expect(() => s3.stage(`s3://${bucket}/nothing/here`, path.join(work, 'x'), "input 'model'"))
      .toThrow(/^input 'model' reads s3:\/\/<Fn::ImportValue Artifacts>\/nothing\/here, which is not the --data sample, not a file asset of cdk.out and not written by an earlier step/);
  });
});

describe('container paths and process failures', () => {
  test('path rewriting moves /opt/ml and /tmp paths, in one pass, and leaves look-alikes', () => {
    const folders = { optMl: '/tmp/run/jobs/Train/opt-ml', tmp: '/tmp/run/jobs/Train/tmp' };
    expect(rewriteContainerPaths('mkdir -p /tmp/code && tar -xzf /opt/ml/processing/input/code/*.gz -C /tmp/code', folders))
      .toBe('mkdir -p /tmp/run/jobs/Train/tmp/code && tar -xzf /tmp/run/jobs/Train/opt-ml/processing/input/code/*.gz -C /tmp/run/jobs/Train/tmp/code');
    expect(rewriteContainerPaths('/opt/ml', folders)).toBe(folders.optMl);
    expect(rewriteContainerPaths('--dir=/opt/ml/model', folders)).toBe(`--dir=${folders.optMl}/model`);
    expect(rewriteContainerPaths('/opt/mlflow /var/tmp /tmpfile', folders)).toBe('/opt/mlflow /var/tmp /tmpfile');
  });

  test('a missing module is named with its pip package; other failures quote the last line', () => {
    const traceback = 'Traceback (most recent call last):\n  File "train.py", line 3, in <module>\n    from sklearn.linear_model import LogisticRegression\nModuleNotFoundError: No module named \'sklearn\'\n';
    expect(missingPythonModule(traceback)).toEqual({ module: 'sklearn', pipName: 'scikit-learn' });
    const base = { signal: null, timedOut: false, output: '' };
    expect(describeProcessFailure({ ...base, status: 1, stderr: traceback }, 'python3')).toBe(
      "its script imports 'sklearn', which the local python3 does not have (pip install scikit-learn, or put a Python that has it first on PATH)",
    );
    expect(describeProcessFailure({ ...base, status: 2, stderr: 'warming up\nno rows found\n' }, 'python3')).toBe('exited with status 2: no rows found');
    expect(describeProcessFailure({ ...base, status: null, stderr: '', timedOut: true }, 'python3')).toMatch(/MaxRuntimeInSeconds/);
  });
});

describe('parameters', () => {
  const declared = [
    { Name: 'Threshold', Type: 'Float' as const, DefaultValue: 0.8 },
    { Name: 'Epochs', Type: 'Integer' as const, DefaultValue: 10 },
    { Name: 'Deep', Type: 'Boolean' as const, DefaultValue: false },
    { Name: 'Tag', Type: 'String' as const },
  ];
  test('defaults, typed overrides and a required value', () => {
    expect(resolveParameters(declared, ['Threshold=0.95', 'Epochs=3', 'Deep=true', 'Tag=a=b'])).toEqual({ Threshold: 0.95, Epochs: 3, Deep: true, Tag: 'a=b' });
    expect(() => resolveParameters(declared, [])).toThrow("--param: parameter 'Tag' (String) has no default; pass --param Tag=VALUE");
    expect(() => resolveParameters(declared, ['Tag=x', 'Epochs=2.5'])).toThrow("--param: Epochs is an Integer parameter: a whole number, got '2.5'");
    expect(() => resolveParameters(declared, ['Tag=x', 'Deep=yes'])).toThrow("--param: Deep is a Boolean parameter: 'true' or 'false', got 'yes'");
    expect(() => resolveParameters(declared, ['Threshold'])).toThrow("--param: must be NAME=VALUE, got 'Threshold'");
  });
});
