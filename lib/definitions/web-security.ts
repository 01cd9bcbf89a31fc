/**
 * What the web app's pages are served with, locally by the gateway and in the cloud by the
 * CDN: one Content-Security-Policy shape (no inline script or style, nothing from origins
 * other than the API, the bucket and Cognito) and the usual security headers.
 */
export interface WebOrigins {
  /** Where the API is; may be the page's own origin. */
  readonly api: string;
  /** The documents bucket: presigned PUTs, downloads and thumbnails. */
  readonly s3: string;
  /** Cognito's JSON API, called from the browser to sign in. */
  readonly cognito: string;
}

const originOf = (url: string): string => new URL(url).origin;

export function contentSecurityPolicy(origins: WebOrigins): string {
  const api = originOf(origins.api);
  const s3 = originOf(origins.s3);
  const cognito = originOf(origins.cognito);
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    `img-src 'self' data: blob: ${s3}`,
    `connect-src 'self' ${api} ${s3} ${cognito}`,
    "font-src 'self'",
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}

/** Sent with every page besides the policy. */
export const webSecurityHeaders = {
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'cross-origin-opener-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
} as const;
