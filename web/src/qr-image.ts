import { renderSVG } from 'uqr';
import { h } from './elements';

/**
 * A QR code as an `<img>` of an SVG data URL: an image cannot run script or carry markup
 * into the page, and `img-src data:` is allowed by the Content-Security-Policy. One QR
 * library (uqr) for the portal's link codes and its authenticator-app codes.
 */
export function qrImage(text: string, alt: string, className = 'qr'): HTMLImageElement {
  const svg = renderSVG(text, { ecc: 'M', border: 2 });
  return h('img', {
    class: className,
    src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`,
    alt,
    width: 220,
    height: 220,
  });
}
