import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { boundedByRequest, boundedCalls } from './call-bounds';
import { traced } from './client-tracing';
import { readConfig } from './config';

/** The user pool the share handler looks grantees up in, and its client, from this function's environment. */
export function userDirectoryFromEnvironment() {
  const { USER_POOL_ID, AWS_REGION, COGNITO_ENDPOINT } = readConfig('USER_POOL_ID', 'AWS_REGION', 'COGNITO_ENDPOINT');
  const client = boundedByRequest(
    traced(
      new CognitoIdentityProviderClient({
        region: AWS_REGION,
        ...boundedCalls(),
        ...(COGNITO_ENDPOINT ? { endpoint: COGNITO_ENDPOINT } : {}),
      }),
    ),
  );
  return { client, userPoolId: USER_POOL_ID };
}
