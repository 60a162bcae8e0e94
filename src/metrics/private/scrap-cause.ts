// Why a training run was scrap, judged from the real SageMaker status fields.
//
// Sources for the strings matched here:
// - DescribeTrainingJob / SecondaryStatusTransition (API reference): a Stopped job's SecondaryStatus
//   is Stopped (StopTrainingJob), MaxRuntimeExceeded, MaxWaitTimeExceeded or Interrupted (managed
//   spot instances were interrupted).
// - FailureReason values seen in the wild, for example
//   "CapacityError: Unable to provision requested ML compute capacity. Please retry using a different ML instance type."
//   (aws/sagemaker-pytorch-training-toolkit#171, DIAGNijmegen/rse-grand-challenge#2631),
//   "InsufficientCapacityError: ..." / "EC2InsufficientCapacityError: Instance type ... is temporarily unavailable"
//   (aws/amazon-sagemaker-feedback#99), "ResourceLimitExceeded: The account-level service limit ...",
//   "AlgorithmError: ExecuteUserScriptError: ..." / "AlgorithmError: framework error" (aws/amazon-sagemaker-examples#1224),
//   "ClientError: ... No S3 objects found under S3 URL ..." and "ClientError: Data download failed ...".

/** The causes a scrapped (wasted) training run is attributed to. */
export const SCRAP_CAUSES = [
  'dataValidation',
  'capacity',
  'spotInterruption',
  'userStop',
  'algorithmError',
  'duplicate',
  // Attempts of queued jobs (TrainingCapacityPool) preempted so a lender could take its capacity back.
  'preempted',
  'other',
] as const;

/** A scrap cause. `other` covers MaxRuntimeExceeded, internal errors and unrecognized reasons. */
export type ScrapCause = typeof SCRAP_CAUSES[number];

const CAPACITY = /CapacityError|InsufficientCapacity|InsufficientInstanceCapacity|ResourceLimitExceeded|Unable to provision requested ML compute capacity|temporarily unavailable/i;
const SPOT = /\bspot\b.*\binterrupt|\binterrupt\w*\b.*\bspot\b/i;
const DATA_VALIDATION = /data[ _-]?validation|No S3 objects found|Data download failed|Unable to download (?:the )?(?:input )?data|S3 (?:object|key) .*(?:does not exist|not found)|invalid (?:input |training )?data|empty (?:input |training )?(?:data|channel|dataset)|schema (?:mismatch|validation)/i;
const ALGORITHM = /^\s*AlgorithmError|ExecuteUserScriptError|framework error|CUDA out of memory|OutOfMemory|exit code [1-9]/i;

/** The terminal statuses of a training job. */
export const TERMINAL_TRAINING_STATUSES = new Set(['Completed', 'Failed', 'Stopped']);

/**
 * The scrap cause of a finished run that did not complete, or undefined for a completed run.
 * Duplicates are judged separately (they need the run history).
 */
export function classifyScrap(status: string, secondaryStatus: string, failureReason: string, spot: boolean): ScrapCause | undefined {
  if (status === 'Completed') return undefined;
  if (status === 'Stopped') {
    if (secondaryStatus === 'Interrupted') return 'spotInterruption';
    // A managed spot job that never got (back) its capacity within MaxWaitTimeInSeconds.
    if (secondaryStatus === 'MaxWaitTimeExceeded') return spot ? 'spotInterruption' : 'capacity';
    if (secondaryStatus === 'MaxRuntimeExceeded') return 'other';
    return 'userStop';
  }
  if (status === 'Failed') {
    if (SPOT.test(failureReason)) return 'spotInterruption';
    if (CAPACITY.test(failureReason)) return 'capacity';
    if (DATA_VALIDATION.test(failureReason)) return 'dataValidation';
    if (ALGORITHM.test(failureReason)) return 'algorithmError';
    return 'other';
  }
  return undefined;
}
