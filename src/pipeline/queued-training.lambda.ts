// The submitter of a TrainingPipeline's QueuedTrainingSteps. Two event sources:
// - SQS: the messages of the pipeline's Callback steps; each CreateTrainingJob request is submitted
//   to the team's quota share with AWS Batch SubmitServiceJob (job name `<prefix>-<callback token>`);
// - EventBridge: `Batch Service Job State Change` of this pipeline's jobs; SUCCEEDED and FAILED are
//   reported back with SendPipelineExecutionStepSuccess / SendPipelineExecutionStepFailure.
// Bundled by esbuild at build time.
import { Logger } from '@aws-lambda-powertools/logger';
import { BatchClient, ListServiceJobsCommand, SubmitServiceJobCommand } from '@aws-sdk/client-batch';
import {
  DescribeTrainingJobCommand,
  SageMakerClient,
  SendPipelineExecutionStepFailureCommand,
  SendPipelineExecutionStepSuccessCommand,
} from '@aws-sdk/client-sagemaker';
import type { EventBridgeEvent, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { reportJobState, ServiceJobStateDetail, submitCallback, SubmitterPorts, SubmitterSettings } from './private/queued-training-logic';

const logger = new Logger({ serviceName: 'trainyard-queued-training' });
// SubmitServiceJob allows 5 requests a second per account: adaptive retries back off on throttling.
const batch = new BatchClient({ retryMode: 'adaptive', maxAttempts: 5 });
const sagemaker = new SageMakerClient({ retryMode: 'standard' });

function settings(): SubmitterSettings {
  return { jobNamePrefix: process.env.JOB_NAME_PREFIX ?? '', teamName: process.env.TEAM_NAME ?? '' };
}

const ports: SubmitterPorts = {
  async findJobs(jobQueue, jobName) {
    const out = await batch.send(new ListServiceJobsCommand({ jobQueue, filters: [{ name: 'JOB_NAME', values: [jobName] }] }));
    return (out.jobSummaryList ?? []).map((j) => j.jobId ?? j.jobName ?? jobName);
  },
  async submit(r) {
    const out = await batch.send(new SubmitServiceJobCommand({
      jobName: r.jobName,
      jobQueue: r.jobQueue,
      serviceJobType: 'SAGEMAKER_TRAINING',
      serviceRequestPayload: r.serviceRequestPayload,
      quotaShareName: r.quotaShareName,
      schedulingPriority: r.schedulingPriority,
      preemptionConfiguration: { preemptionRetriesBeforeTermination: r.preemptionRetries },
      tags: r.tags,
      clientToken: r.clientToken,
    }));
    return out.jobId ?? '(no job id)';
  },
  async modelArtifacts(trainingJobName) {
    const job = await sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: trainingJobName }));
    return job.ModelArtifacts?.S3ModelArtifacts;
  },
  async succeed(token, outputs, idempotencyToken) {
    await sagemaker.send(new SendPipelineExecutionStepSuccessCommand({
      CallbackToken: token,
      OutputParameters: Object.entries(outputs).map(([Name, Value]) => ({ Name, Value })),
      ClientRequestToken: idempotencyToken,
    }));
  },
  async fail(token, reason, idempotencyToken) {
    await sagemaker.send(new SendPipelineExecutionStepFailureCommand({
      CallbackToken: token,
      FailureReason: reason,
      ClientRequestToken: idempotencyToken,
    }));
  },
  log(level, message, data) {
    logger[level](message, data ?? {});
  },
};

type StateChange = EventBridgeEvent<'Batch Service Job State Change', ServiceJobStateDetail>;

function isSqsEvent(event: unknown): event is SQSEvent {
  return Array.isArray((event as SQSEvent)?.Records);
}

export async function handler(event: SQSEvent | StateChange): Promise<SQSBatchResponse | void> {
  if (isSqsEvent(event)) {
    const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
    for (const record of event.Records) {
      try {
        await submitCallback(record.body, settings(), ports);
      } catch (e) {
        // Retryable (throttling, service faults): the record comes back after the visibility timeout.
        logger.warn('Submission failed; the message will be delivered again', { messageId: record.messageId, error: String(e) });
        batchItemFailures.push({ itemIdentifier: record.messageId });
      }
    }
    return { batchItemFailures };
  }
  if (event?.['detail-type'] === 'Batch Service Job State Change') {
    await reportJobState(event.detail, settings(), ports);
    return;
  }
  logger.warn('Unknown event; ignored', { event: JSON.stringify(event).slice(0, 500) });
}
