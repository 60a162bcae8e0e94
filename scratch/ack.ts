import { Stack } from 'aws-cdk-lib';
import { synthWithCompliance } from '../test/helpers/synth';
import { MlPlatform } from '../src/platform/ml-platform';
const r = synthWithCompliance((app) => { const s = new Stack(app, 'Platform'); new MlPlatform(s, 'Platform'); });
console.log(r.report.acknowledged.map((a) => `${a.rule} | ${a.constructPath}`).join('\n'));
