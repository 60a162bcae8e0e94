import { NagMessageLevel } from 'cdk-nag';
import { isTrue } from './private/cfn';
import { judgeJobs, MlOpsRule } from './private/rule';

/** Training jobs (Training and Tuning steps) run with network isolation. */
export const SageMakerTrainingNetworkIsolated: MlOpsRule = {
  name: 'SageMakerTrainingNetworkIsolated',
  level: NagMessageLevel.ERROR,
  info: 'A SageMaker training job (Training or Tuning step) does not set EnableNetworkIsolation to true.',
  explanation:
    'With network isolation the training container can make no network calls: SageMaker itself downloads the input and uploads the model. ' +
    'Training code (and every package it imports) then cannot exfiltrate data or pull unvetted code, even inside the VPC.',
  check: (node) => judgeJobs(node, (job) => job.kind === 'training', (job) => isTrue(job.networkIsolation)),
};
