/**
 * Creates an owner in the local system's user pool as an operator would in the cloud
 * (`aws cognito-idp admin-create-user`, README "Owners an operator creates"): the owner gets a
 * temporary password, printed here as the e-mail Cognito would send, and sets a new one at
 * first sign-in.
 *
 *   npm run owner:create -- someone@example.com     (the system at http://localhost:3000, or DOCDROP_URL)
 */
import { UsernameExistsException } from '@aws-sdk/client-cognito-identity-provider';
import { userPoolDefinition } from '#contracts/auth';
import { localMessageLine } from '../local/cognito';
import { createOwnerAsOperator } from '../local/owners';

const base = process.env.DOCDROP_URL ?? 'http://localhost:3000';

async function main(): Promise<void> {
  const email = process.argv[2] ?? '';
  if (!/^[^@\s]+@[^@\s]+$/.test(email)) {
    console.error('Usage: npm run owner:create -- <e-mail address>');
    process.exit(2);
  }
  let config: { cognitoEndpoint: string; region: string; userPoolId: string };
  try {
    config = (await (await fetch(`${base}/config.json`)).json()) as typeof config;
  } catch {
    console.error(`No docdrop answers at ${base}: start it with npm start (or set DOCDROP_URL).`);
    process.exit(1);
  }
  try {
    const { temporaryPassword } = await createOwnerAsOperator(config, email);
    console.log(localMessageLine({ to: email, subject: `temporary password ${temporaryPassword}` }));
    console.log(
      `${email} signs in at ${base} with it and chooses a new password (in the cloud it lapses after ${userPoolDefinition.passwordPolicy.temporaryPasswordValidityDays} days).`,
    );
  } catch (error) {
    if (error instanceof UsernameExistsException) {
      console.error(`${email} already has an account.`);
      process.exit(1);
    }
    throw error;
  }
}

await main();
