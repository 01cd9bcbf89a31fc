// CloudFront Function (cloudfront-js-2.0) on viewer requests for the web app's files. An S3
// origin behind origin access control has no directory index: `/u/` must fetch `u/index.html`,
// and `/u` must become `/u/` (a redirect keeps the `#<token>` fragment, which never reaches us).
// docdrop's pages take no query string, so the redirect carries none.
// biome-ignore lint/correctness/noUnusedVariables: CloudFront calls `handler` by name.
function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri.charAt(uri.length - 1) === '/') {
    request.uri = `${uri}index.html`;
    return request;
  }
  var lastSegment = uri.substring(uri.lastIndexOf('/') + 1);
  if (lastSegment.indexOf('.') === -1) {
    return {
      statusCode: 301,
      statusDescription: 'Moved Permanently',
      headers: { location: { value: `${uri}/` } },
    };
  }
  return request;
}
