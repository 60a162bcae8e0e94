/**
 * The resource types that hold data or identity a team cannot afford to lose. Every one of them must
 * be retained on delete and replace unless the user opted out, and its logical id must not drift.
 */
export const STATEFUL_TYPES = [
  'AWS::S3::Bucket',
  'AWS::KMS::Key',
  'AWS::ECR::Repository',
  'AWS::SageMaker::ModelPackageGroup',
  'AWS::SageMaker::MlflowTrackingServer',
  'AWS::SageMaker::MlflowApp',
  'AWS::DynamoDB::Table',
  'AWS::Logs::LogGroup',
  'AWS::SageMaker::Domain',
  'AWS::EFS::FileSystem',
];

/** The command that rewrites the manifest of stateful logical ids on purpose. */
export const REFRESH_MANIFEST_COMMAND = 'UPDATE_STATEFUL_MANIFEST=1 npx jest test/templates/templates.test.ts';
