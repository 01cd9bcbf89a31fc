/** An answer other than 2xx, with the API's own `{ error: { code, message } }` when it sent one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export type Credential = { readonly bearer: string } | { readonly uploadToken: string };

/** Calls docdrop's API with JSON in and out; turns failures into ApiError with words a person can read. */
export async function callApi<T>(
  apiUrl: string,
  method: string,
  path: string,
  credential: Credential,
  body?: unknown,
): Promise<T> {
  const headers: Record<string, string> = {};
  if ('bearer' in credential) headers.authorization = `Bearer ${credential.bearer}`;
  else headers['x-upload-token'] = credential.uploadToken;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(`${apiUrl}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      cache: 'no-store',
      credentials: 'omit',
    });
  } catch {
    throw new ApiError(0, 'network', 'docdrop could not be reached. Check your connection and try again.');
  }
  if (response.status === 204) return undefined as T;
  const payload = (await response.json().catch(() => undefined)) as
    | { error?: { code?: string; message?: string } }
    | undefined;
  if (!response.ok) {
    const code = payload?.error?.code ?? 'http_error';
    const message = payload?.error?.message ?? `The request failed (HTTP ${response.status}). Try again in a moment.`;
    throw new ApiError(response.status, code, message);
  }
  return payload as T;
}
