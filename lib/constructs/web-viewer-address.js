// CloudFront Function (cloudfront-js-2.0) on viewer requests to `/api/*`. Behind CloudFront the
// API sees an edge server's address, not the browser's; this hands the API the viewer's own
// address in a header of ours, overwriting any value the viewer sent, so the audit trail records
// where a request came from. (The header name is VIEWER_ADDRESS_HEADER in contracts/web-security.ts.)
// biome-ignore lint/correctness/noUnusedVariables: CloudFront calls `handler` by name.
function handler(event) {
  var request = event.request;
  request.headers['x-docdrop-viewer-address'] = { value: event.viewer.ip };
  return request;
}
