import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AccountRecovery, FeaturePlan, Mfa, UserPool, type UserPoolClient } from 'aws-cdk-lib/aws-cognito';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { userPoolDefinition } from '#contracts/auth';

export interface AuthProps {
  readonly selfSignUp: boolean;
  readonly retainData: boolean;
  /** `docdrop:requireMfa`: every owner sets up TOTP and gives its code at sign-in. */
  readonly requireMfa: boolean;
}

/** Owners' sign-in: the user pool and the web app's public client, from the shared definition. */
export class Auth extends Construct {
  readonly userPool: UserPool;
  readonly webClient: UserPoolClient;
  /** The web app is told (config.json), so it does not offer to turn TOTP off. */
  readonly requireMfa: boolean;

  constructor(scope: Construct, id: string, props: AuthProps) {
    super(scope, id);
    this.requireMfa = props.requireMfa;
    const { passwordPolicy, client } = userPoolDefinition;
    this.userPool = new UserPool(this, 'Owners', {
      userPoolName: userPoolDefinition.name,
      signInAliases: { email: true },
      autoVerify: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      // A changed address applies only once verified; until then the verified one stays (shares resolve by it).
      keepOriginal: { email: userPoolDefinition.keepOriginalUntilVerified.includes('email') },
      selfSignUpEnabled: props.selfSignUp,
      passwordPolicy: {
        minLength: passwordPolicy.minimumLength,
        requireLowercase: passwordPolicy.requireLowercase,
        requireUppercase: passwordPolicy.requireUppercase,
        requireDigits: passwordPolicy.requireNumbers,
        requireSymbols: passwordPolicy.requireSymbols,
        tempPasswordValidity: Duration.days(passwordPolicy.temporaryPasswordValidityDays),
      },
      mfa: props.requireMfa ? Mfa.REQUIRED : Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      featurePlan: FeaturePlan.ESSENTIALS,
      deletionProtection: props.retainData,
      removalPolicy: props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    NagSuppressions.addResourceSuppressions(this.userPool, [
      // Only when MFA is optional: with docdrop:requireMfa the pool passes the rule itself.
      ...(props.requireMfa
        ? []
        : [
            {
              id: 'AwsSolutions-COG2',
              reason:
                'TOTP MFA is offered to every owner (optional); requiring it for all is the operator setting docdrop:requireMfa.',
            },
          ]),
      {
        id: 'AwsSolutions-COG8',
        reason:
          'The Plus plan (threat protection) costs per monthly active user; Essentials is the default and an operator can upgrade.',
      },
    ]);
    this.webClient = this.userPool.addClient('WebClient', {
      userPoolClientName: client.name,
      generateSecret: false,
      // Sign-in is through the API (SRP or password), not a hosted UI: no OAuth flows or callback URLs.
      disableOAuth: true,
      authFlows: { userSrp: true, userPassword: true },
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.minutes(client.accessTokenMinutes),
      idTokenValidity: Duration.minutes(client.idTokenMinutes),
      refreshTokenValidity: Duration.days(client.refreshTokenDays),
    });
  }
}
