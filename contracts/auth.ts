/**
 * The user pool and its web client: read by the CDK auth construct and by the local
 * Cognito bootstrap, so both enforce the same sign-in rules.
 */
export const userPoolDefinition = {
  name: 'docdrop-owners',
  usernameAttributes: ['email'] as const,
  autoVerifiedAttributes: ['email'] as const,
  /**
   * A changed address takes effect only once its code is entered: until then the pool keeps the
   * verified one, so nobody can claim another person's address (shares resolve by it).
   */
  keepOriginalUntilVerified: ['email'] as const,
  passwordPolicy: {
    minimumLength: 12,
    requireLowercase: true,
    requireUppercase: true,
    requireNumbers: true,
    requireSymbols: true,
    temporaryPasswordValidityDays: 3,
  },
  client: {
    name: 'docdrop-web',
    // Public client for a browser app: no secret. SRP in the cloud; cognito-local only speaks USER_PASSWORD_AUTH.
    explicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] as const,
    accessTokenMinutes: 60,
    idTokenMinutes: 60,
    refreshTokenDays: 30,
  },
} as const;
