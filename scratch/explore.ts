import { Stack } from 'aws-cdk-lib';
import * as fs from 'fs';
import { synthWithCompliance, describeFindings } from '../test/helpers/synth';
import { MlPlatform } from '../src/platform/ml-platform';
import { ModelRegistry } from '../src/registry/model-registry';
import { ImageRegistry } from '../src/registry/image-registry';
import { ExperimentTracking, TrackingServerSize } from '../src/registry/experiment-tracking';
let ps!: Stack, ts!: Stack;
const r = synthWithCompliance((app) => {
  ps = new Stack(app, 'P');
  const p = new MlPlatform(ps, 'Platform');
  ts = new Stack(app, 'T');
  new ModelRegistry(ts, 'Models', { groupName: 'ml-models', crossAccountReadAccounts: ['111111111111'], key: p.key, nonProduction: true });
  new ImageRegistry(ts, 'Images', { repositoryName: 'ml/trainer', key: p.key, crossAccountPullAccounts: ['111111111111'] });
  new ExperimentTracking(ts, 'Dedicated', { artifactsBucket: p.artifactsBucket, key: p.key, dedicatedServer: { size: TrackingServerSize.MEDIUM }, automaticModelRegistration: true, weeklyMaintenanceWindowStart: 'Sun:02:00' });
  new ExperimentTracking(ts, 'Own', { accessLogsBucket: p.accessLogsBucket });
});
console.log(describeFindings(r.report).join('\n'));
console.log(JSON.stringify(r.template(ts).toJSON().Resources, null, 1).slice(0, 200));
