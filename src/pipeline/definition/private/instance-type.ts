// The check lives in core so that the environment layer (TrainingCapacityPool) shares it.
export { requireInstanceType } from '../../../core/validate';
