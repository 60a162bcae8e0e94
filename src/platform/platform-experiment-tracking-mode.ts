/**
 * What experiment tracking (managed MLflow) an `MlPlatform` offers its teams. Each team then picks
 * its own with `TrainingEnvironment` `experimentTrackingMode`.
 *
 * A serverless MLflow App authorizes its whole REST API with one IAM action
 * (`sagemaker:CallMlflowAppApi`), so IAM cannot separate teams inside one App: isolation between
 * teams means one App per team, which is the default.
 */
export enum PlatformExperimentTrackingMode {
  /**
   * The SageMaker MLflow interface endpoint (`aws.sagemaker.<region>.experiments`), through which
   * MLflow clients in the isolated VPC (jobs without network isolation, VPC-only Studio) reach MLflow
   * Apps. Each `TrainingEnvironment` gets its own serverless MLflow App by default
   * (`ExperimentTrackingMode.TEAM`).
   */
  TEAM = 'TEAM',

  /**
   * The MLflow endpoint, and one shared, organisation-wide serverless MLflow App (the platform's
   * `experimentTracking`), storing artifacts under `mlflow/` in the artifacts bucket, encrypted with
   * the platform key, for teams that choose `ExperimentTrackingMode.SHARED` (teams still get their
   * own App by default). Trade-off: every team on the shared App can read, change and delete every
   * other team's experiments, runs, registered MLflow models and run artifacts.
   *
   * Platforms deployed before Trainyard made tracking per team had this App by default: choose this
   * mode to keep it (same logical id), or it is removed from the stack and, retained, left orphaned.
   */
  TEAM_AND_SHARED = 'TEAM_AND_SHARED',

  /**
   * No MLflow endpoint (one interface endpoint ENI per zone less): teams get no experiment tracking
   * by default (`ExperimentTrackingMode.NONE`) and cannot have their own App.
   */
  NONE = 'NONE',
}
