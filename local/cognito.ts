import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import {
  CreateUserPoolClientCommand,
  ListUserPoolClientsCommand,
  SetUserPoolMfaConfigCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { userPoolDefinition } from '#contracts/auth';
import { closingCognitoGaps } from './cognito-gaps';
import { localIdentityProvider } from './owners';
import { urlHost } from './url-host';

const require = createRequire(import.meta.url);

// cognito-local carries the v2 SDK for its Lambda triggers (unused here); skip its notice.
process.env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE ??= '1';

// cognito-local's building blocks, composed here instead of through its createDefaultServer,
// which insists on `./.cognito` in the working directory.
const { CognitoServiceFactoryImpl } = require('cognito-local/lib/services/cognitoService');
const { StormDBDataStoreFactory } = require('cognito-local/lib/services/dataStore/stormDb');
const { UserPoolServiceFactoryImpl } = require('cognito-local/lib/services/userPoolService');
const services = require('cognito-local/lib/services');
const { CryptoService } = require('cognito-local/lib/services/crypto');
const { MessageDeliveryService } = require('cognito-local/lib/services/messageDelivery/messageDelivery');
const { otp } = require('cognito-local/lib/services/otp');
const { JwtTokenGenerator } = require('cognito-local/lib/services/tokenGenerator');
const { Router } = require('cognito-local/lib/server/Router');
const { attribute, attributesAppend, attributeValue } = require('cognito-local/lib/services/userPoolService');
const { createServer } = require('cognito-local/lib/server/server');
const pino = require('pino');

export interface LocalCognito {
  readonly endpoint: string;
  readonly userPoolId: string;
  readonly userPoolClientId: string;
  readonly jwksUri: string;
  stop(): Promise<void>;
}

export interface CognitoOptions {
  /** The address to listen on, and the name the endpoint gives (browsers sign in there). */
  readonly host: string;
  readonly advertisedHost: string;
  readonly directory: string;
  readonly port: number;
  readonly region: string;
  /** Where sign-up confirmation codes go: cognito-local "sends" e-mail by printing it. */
  readonly onMessage: (message: { to: string; code?: string; subject?: string }) => void;
  /** Every owner must use TOTP (the pool's MFA `ON`), as `docdrop:requireMfa` makes the cloud's pool. */
  readonly requireMfa?: boolean;
}

// A fixed pool id in AWS's `<region>_<id>` form, so aws-jwt-verify accepts it unchanged.
const POOL_SUFFIX = 'docdropLocal';

/** Starts cognito-local with docdrop's user pool and web client, created once and kept across restarts. */
export async function startCognito(options: CognitoOptions): Promise<LocalCognito> {
  const dataDirectory = `${options.directory}/db`;
  mkdirSync(dataDirectory, { recursive: true });
  // Errors only: a seeded user that already exists is a warning there, and expected here.
  const logger = pino({ level: 'error' });
  const ctx = { logger };
  const userPoolId = `${options.region}_${POOL_SUFFIX}`;
  const config = {
    LambdaClient: { credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, region: 'local' },
    TriggerFunctions: {},
    UserPoolDefaults: { UsernameAttributes: [...userPoolDefinition.usernameAttributes] },
    // Tokens then carry the issuer real Cognito would: aws-jwt-verify checks it.
    TokenConfig: { IssuerDomain: `https://cognito-idp.${options.region}.amazonaws.com` },
    KMSConfig: { credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, region: 'local' },
    ServerConfig: { port: options.port, hostname: options.host, development: false, https: false },
  };
  const clock = new services.DateClock();
  const dataStoreFactory = new StormDBDataStoreFactory(dataDirectory);
  const cognito = await new CognitoServiceFactoryImpl(
    dataDirectory,
    dataStoreFactory,
    new UserPoolServiceFactoryImpl(clock, dataStoreFactory),
  ).create(ctx, config.UserPoolDefaults);
  const triggers = new services.TriggersService(
    clock,
    cognito,
    { enabled: () => false },
    new CryptoService(config.KMSConfig),
  );
  const sender = {
    sendEmail: async (_ctx: unknown, _user: unknown, to: string, message: { __code?: string; emailSubject?: string }) =>
      options.onMessage({ to, code: message.__code, subject: message.emailSubject }),
    sendSms: async (_ctx: unknown, _user: unknown, to: string, message: { __code?: string }) =>
      options.onMessage({ to, code: message.__code }),
  };
  const tokenGenerator = new JwtTokenGenerator(clock, triggers, config.TokenConfig);
  const server = createServer(
    verifyingEmailOnConfirm(
      cognito,
      closingCognitoGaps(
        { cognito, tokenGenerator },
        Router({
          clock,
          cognito,
          config,
          messages: new services.MessagesService(triggers, new MessageDeliveryService(sender)),
          otp,
          tokenGenerator,
          triggers,
        }),
      ),
    ),
    logger,
    config.ServerConfig,
  );
  const httpServer: Server = await server.start();
  const port = (httpServer.address() as AddressInfo).port;

  const pools: { Id: string }[] = await cognito.listUserPools(ctx);
  if (!pools.some((pool) => pool.Id === userPoolId)) {
    await cognito.createUserPool(ctx, {
      Id: userPoolId,
      Name: userPoolDefinition.name,
      UsernameAttributes: [...userPoolDefinition.usernameAttributes],
      AutoVerifiedAttributes: [...userPoolDefinition.autoVerifiedAttributes],
      UserAttributeUpdateSettings: keepOriginalSettings,
      Policies: {
        PasswordPolicy: {
          MinimumLength: userPoolDefinition.passwordPolicy.minimumLength,
          RequireLowercase: userPoolDefinition.passwordPolicy.requireLowercase,
          RequireUppercase: userPoolDefinition.passwordPolicy.requireUppercase,
          RequireNumbers: userPoolDefinition.passwordPolicy.requireNumbers,
          RequireSymbols: userPoolDefinition.passwordPolicy.requireSymbols,
        },
      },
      Arn: `arn:aws:cognito-idp:${options.region}:000000000000:userpool/${userPoolId}`,
      CreationDate: new Date(),
      LastModifiedDate: new Date(),
    });
  }
  await keepOriginalUntilVerified(ctx, cognito, userPoolId);
  const endpoint = `http://${urlHost(options.advertisedHost)}:${port}`;
  const userPoolClientId = await ensureWebClient(endpoint, options.region, userPoolId);
  await setMfa(endpoint, options.region, userPoolId, options.requireMfa ?? false);
  return {
    endpoint,
    userPoolId,
    userPoolClientId,
    jwksUri: `${endpoint}/${userPoolId}/.well-known/jwks.json`,
    stop: () => new Promise((resolve, reject) => httpServer.close((error) => (error ? reject(error) : resolve()))),
  };
}

const keepOriginalSettings = {
  AttributesRequireVerificationBeforeUpdate: [...userPoolDefinition.keepOriginalUntilVerified],
};

/**
 * A pool made before this setting existed gets it too (cognito-local's UpdateUserPool would
 * drop it, so the stored options are updated directly).
 */
async function keepOriginalUntilVerified(ctx: unknown, cognito: CognitoLocalPools, userPoolId: string): Promise<void> {
  const pool = await cognito.getUserPool(ctx, userPoolId);
  const wanted = keepOriginalSettings.AttributesRequireVerificationBeforeUpdate;
  const current: string[] = pool.options.UserAttributeUpdateSettings?.AttributesRequireVerificationBeforeUpdate ?? [];
  if (wanted.every((name) => current.includes(name))) return;
  await pool.updateOptions(ctx, { ...pool.options, UserAttributeUpdateSettings: keepOriginalSettings });
}

/**
 * Cognito marks the address verified when a sign-up is confirmed with the code sent to it (the
 * pool auto-verifies e-mail); cognito-local confirms the user but leaves `email_verified` unset,
 * which would make every self-registered user unreachable by a share. This restores Cognito's rule.
 */
function verifyingEmailOnConfirm(
  cognito: CognitoLocalPools,
  route: (target: string) => Handler,
): (target: string) => Handler {
  if (!(userPoolDefinition.autoVerifiedAttributes as readonly string[]).includes('email')) return route;
  return (target) => {
    const handle = route(target);
    if (target !== 'ConfirmSignUp') return handle;
    return async (ctx, request) => {
      const answer = await handle(ctx, request);
      const { ClientId, Username } = request as { ClientId: string; Username: string };
      const pool = await cognito.getUserPoolForClientId(ctx, ClientId);
      const user = await pool.getUserByUsername(ctx, Username);
      if (
        user &&
        attributeValue('email', user.Attributes) &&
        attributeValue('email_verified', user.Attributes) !== 'true'
      ) {
        await pool.saveUser(ctx, {
          ...user,
          Attributes: attributesAppend(user.Attributes, attribute('email_verified', 'true')),
        });
      }
      return answer;
    };
  };
}

type Handler = (ctx: unknown, request: unknown) => Promise<unknown>;
type Attributes = { Name: string; Value?: string }[];

/** The part of cognito-local's services used here (it ships JavaScript without usable types for them). */
interface CognitoLocalPools {
  getUserPool(ctx: unknown, userPoolId: string): Promise<CognitoLocalPool>;
  getUserPoolForClientId(ctx: unknown, clientId: string): Promise<CognitoLocalPool>;
}
interface CognitoLocalPool {
  readonly options: Record<string, unknown> & {
    UserAttributeUpdateSettings?: { AttributesRequireVerificationBeforeUpdate?: string[] };
  };
  updateOptions(ctx: unknown, options: Record<string, unknown>): Promise<void>;
  getUserByUsername(ctx: unknown, username: string): Promise<{ Attributes: Attributes } | null>;
  saveUser(ctx: unknown, user: { Attributes: Attributes }): Promise<void>;
}

/** The web app's public client, created once through the Cognito API as the CDK stack would. */
async function ensureWebClient(endpoint: string, region: string, userPoolId: string): Promise<string> {
  const idp = localIdentityProvider(endpoint, region);
  const { UserPoolClients = [] } = await idp.send(
    new ListUserPoolClientsCommand({ UserPoolId: userPoolId, MaxResults: 60 }),
  );
  const existing = UserPoolClients.find((client) => client.ClientName === userPoolDefinition.client.name);
  if (existing?.ClientId) return existing.ClientId;
  const { client } = userPoolDefinition;
  const created = await idp.send(
    new CreateUserPoolClientCommand({
      UserPoolId: userPoolId,
      ClientName: client.name,
      ExplicitAuthFlows: [...client.explicitAuthFlows],
      AccessTokenValidity: client.accessTokenMinutes,
      IdTokenValidity: client.idTokenMinutes,
      RefreshTokenValidity: client.refreshTokenDays,
      TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'days' },
    }),
  );
  const clientId = created.UserPoolClient?.ClientId;
  if (!clientId) throw new Error('cognito-local did not return a client id');
  return clientId;
}

/**
 * TOTP only, required or optional, set through the Cognito API on every start: a data folder
 * made without the setting follows it, as `set-user-pool-mfa-config` changes a live pool.
 */
async function setMfa(endpoint: string, region: string, userPoolId: string, required: boolean): Promise<void> {
  const idp = localIdentityProvider(endpoint, region);
  try {
    await idp.send(
      new SetUserPoolMfaConfigCommand({
        UserPoolId: userPoolId,
        MfaConfiguration: required ? 'ON' : 'OPTIONAL',
        SoftwareTokenMfaConfiguration: { Enabled: true },
      }),
    );
  } finally {
    idp.destroy();
  }
}

/**
 * How the local system shows an e-mail it does not send: one line a person can read the
 * confirmation code from (`npm start` prints it; the browser tests read it the same way).
 */
export function localMessageLine(message: { to: string; code?: string; subject?: string }): string {
  const what = message.code ? `confirmation code ${message.code}` : (message.subject ?? 'a message');
  return `>>> e-mail to ${message.to} (not sent, local): ${what}`;
}
