// The public API of Trainyard. Inside src/, import from the defining file, never from here.
export * from './core/trainyard-errors';
export * from './core/acknowledgements';
export * from './platform/ml-platform';
export * from './governance/control-tower-guard';
export * from './governance/compliance-report';
export * from './governance/trainyard-compliance';
export * from './environment/training-job-defaults';
export * from './environment/training-environment';
export * from './platform/platform-replication';
export * from './environment/gpu-profile';
export * from './environment/gpu-batch-compute';
export * from './environment/training-studio';
export * from './governance/mlops-checks';
export * from './governance/training-guardrails';
export * from './governance/trainyard-tags';
export * from './governance/platform-audit-trail';
export * from './metrics/flow-metrics';
