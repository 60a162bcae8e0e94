import { NagMessageLevel } from 'cdk-nag';
import { isPresent } from './private/cfn';
import { judgeJobs, MlOpsRule } from './private/rule';

/** Training and processing jobs, in pipelines or as resources, run in a VPC. */
export const SageMakerJobInVpc: MlOpsRule = {
  name: 'SageMakerJobInVpc',
  level: NagMessageLevel.ERROR,
  info: 'A SageMaker training or processing job (a pipeline step or a job resource) has no VPC subnets (VpcConfig.Subnets / NetworkConfig.VpcConfig.Subnets).',
  explanation:
    'Without a VpcConfig the job runs in a SageMaker-managed network with internet access, outside the isolated VPC, its security groups, ' +
    'endpoint policies and flow logs. Give every Training, Tuning and Processing step the team\'s isolated subnets and security group.',
  check: (node) => judgeJobs(node, () => true, (job) => isPresent(job.subnets)),
};
