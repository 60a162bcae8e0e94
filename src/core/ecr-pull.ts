import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * What pulling an image needs of its repository: the manifest and its layers, nothing else.
 *
 * @internal
 */
export const ECR_PULL_ACTIONS = ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'];

/**
 * The one ECR pull grant as statements: the pull actions on `repositoryArns`, and
 * `ecr:GetAuthorizationToken`, which has no resource-level permission and so names `*`. Each
 * statement has a `sid` so that the token's wildcard can be acknowledged by name.
 *
 * @internal
 */
export function ecrPullStatements(repositoryArns: string[], sids: { readonly pull: string; readonly token: string }): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({ sid: sids.pull, actions: ECR_PULL_ACTIONS, resources: repositoryArns }),
    new iam.PolicyStatement({ sid: sids.token, actions: ['ecr:GetAuthorizationToken'], resources: ['*'] }),
  ];
}
