/**
 * How SDK clients get traced, without every function paying for the X-Ray SDK: the tracer
 * module (`#commons/tracer`, ~120 KB minified) installs itself here when a function imports it;
 * in functions that do not, clients are left as they are (Lambda's active tracing still records
 * each invocation).
 */
type CaptureClient = <Client>(client: Client) => Client;

let capture: CaptureClient | undefined;

/** Called once by the tracer module when it loads. */
export function traceClientsWith(captureClient: CaptureClient): void {
  capture = captureClient;
}

/** The client, wrapped so each of its calls becomes an X-Ray subsegment when tracing is on. */
export function traced<Client>(client: Client): Client {
  return capture ? capture(client) : client;
}
