// Baseline for the synth benchmark: the smallest CDK app (one bucket), run with ts-node, the CDK's default toolchain.
import { App, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';

const app = new App();
new s3.Bucket(new Stack(app, 'HelloWorld'), 'Bucket');
app.synth();
