/**
 * RFC 6238 TOTP (SHA-1, 6 digits, 30 s steps: what Cognito and authenticator apps use), from a
 * base32 secret: the browser tests' authenticator app. One implementation, the smoke suite's
 * (test/live imports nothing of the project, so the helper lives there); its RFC vectors are
 * checked in test/unit/live-client.test.ts.
 */
export { totpCode } from '../live/client';
