/**
 * What the web app's pages are served with, locally by the gateway and in the cloud by
 * CloudFront: one Content-Security-Policy (no inline script or style; connections only to the
 * page's own origin, which also serves the API under `/api/*`, the documents bucket, where
 * presigned PUTs and GETs go, and Cognito, for sign-in) and the same further headers.
 */
/**
 * Set on every `/api/*` request by CloudFront (lib/constructs/web-viewer-address.js) to the viewer's
 * own address, which the API would otherwise not see (its peer is an edge server).
 */
export const VIEWER_ADDRESS_HEADER = 'x-docdrop-viewer-address';

export interface ContentSecurityPolicyOrigins {
  /** The documents bucket's origin as presigned URLs name it (a deploy-time token in the stack). */
  readonly documents: string;
  /** Cognito's identity provider origin, e.g. `https://cognito-idp.eu-west-1.amazonaws.com`. */
  readonly cognito: string;
}

/** Origins are joined as given (no URL parsing), so CloudFormation tokens pass through. */
export function contentSecurityPolicy(origins: ContentSecurityPolicyOrigins): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    // The multipart uploader hashes parts in a Web Worker loaded from the page's own origin.
    "worker-src 'self'",
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

/** Headers with no dedicated CloudFront setting: sent as custom headers there, as-is locally. */
export const extraSecurityHeaders = {
  'cross-origin-opener-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
} as const;

/** Sent with every page locally besides the policy; CloudFront sends the same set. */
export const webSecurityHeaders = {
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  ...extraSecurityHeaders,
} as const;

/**
 * The API's CORS rules for pages on other origins (`docdrop:webOrigins`; locally `--web-origin`):
 * API Gateway's `corsPreflight` in the stack, and the local gateway, answer with exactly these.
 */
export const apiCors = {
  allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const,
  allowHeaders: ['authorization', 'content-type', 'x-upload-token'],
  maxAgeSeconds: 3600,
};
