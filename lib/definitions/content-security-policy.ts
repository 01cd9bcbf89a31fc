/**
 * The web app's Content-Security-Policy: its own scripts and styles only, nothing inline, and
 * connections only to itself (the API is served under its origin, `/api/*`), the documents bucket
 * (presigned PUTs and GETs go straight there) and Cognito (sign-in). The CloudFront distribution
 * sends it; the local gateway can send the same with its emulators' origins.
 */
export interface ContentSecurityPolicyOrigins {
  /** The documents bucket's origin as presigned URLs name it. */
  readonly documents: string;
  /** Cognito's identity provider endpoint, e.g. `https://cognito-idp.eu-west-1.amazonaws.com`. */
  readonly cognito: string;
}

export function contentSecurityPolicy(origins: ContentSecurityPolicyOrigins): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    `img-src 'self' data: blob: ${origins.documents}`,
    `connect-src 'self' ${origins.documents} ${origins.cognito}`,
    "font-src 'self'",
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}
