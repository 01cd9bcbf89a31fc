import AwsS3, { type AwsS3Options, type AwsS3Part, type AwsS3UploadParameters } from '@uppy/aws-s3';
import type { Body, Meta, UppyFile } from '@uppy/core';
import type { MultipartUpload, PresignedUpload, SignedPart, StoredPart } from '#contracts/api/uploads';
import { multipart, planParts } from '#contracts/limits';
import { ApiError, type Credential, callApi } from './src/api-client';
import { sha256Of } from './src/file-digest';

/**
 * Options for `@uppy/aws-s3` 5.x that send files to docdrop, owner or link:
 *
 *   new Uppy().use(AwsS3, docdropS3Options({ apiBase: 'https://docs.example.com', auth: { linkToken } }))
 *
 * Below `multipart.thresholdBytes` a file goes in one PUT pinned to its SHA-256; above it, in
 * docdrop's planned parts, each pinned to its length and SHA-256. A successful upload's
 * `response.body` carries docdrop's answer (`uploadId`, `status`, `reason`, `sha256`, `partsSha256`).
 */
export interface DocdropUppyOptions {
  /** The origin docdrop's API is served from (its `/config.json` `apiUrl`, or the web app's origin). */
  readonly apiBase: string;
  /** An upload link's token (the drop page's `#fragment`), or the owner's Cognito ID token, asked for at each call. */
  readonly auth: { readonly linkToken: string } | { readonly idToken: () => string | Promise<string> };
}

/** docdrop's answer to confirm and complete, which Uppy hands on in `upload-success`'s `response.body`. */
export interface DocdropReceipt {
  readonly uploadId: string;
  readonly fileId?: string;
  readonly status: 'pending' | 'clean' | 'rejected' | 'expired';
  readonly reason?: string;
  readonly sha256?: string;
  readonly partsSha256?: string;
}

type Signed = PresignedUpload | MultipartUpload;

export function docdropS3Options<M extends Meta, B extends Body>(options: DocdropUppyOptions): AwsS3Options<M, B> {
  const uploads = 'linkToken' in options.auth ? '/api/drop/uploads' : '/api/uploads';
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const credential: Credential =
      'linkToken' in options.auth ? { uploadToken: options.auth.linkToken } : { bearer: await options.auth.idToken() };
    try {
      return await callApi<T>(options.apiBase, method, `${uploads}${path}`, credential, body);
    } catch (error) {
      // Uppy retries a failure only when it carries an HTTP status it deems passing (5xx, 429).
      if (error instanceof ApiError && (error.status >= 500 || error.status === 429)) {
        Object.assign(error, { source: { status: error.status } });
      }
      throw error;
    }
  };
  const describe = (file: UppyFile<M, B>) => {
    const data = file.data;
    if (!(data instanceof Blob)) throw new Error('docdrop takes files from this device only.');
    return { data, fileName: file.name ?? 'file', contentType: file.type || 'application/octet-stream' };
  };
  // A single PUT is confirmed once S3 took it; its URL is how uploadPartBytes knows it from a part.
  const singlePuts = new Map<string, string>();

  return {
    shouldUseMultipart: (file) => (file.size ?? 0) > multipart.thresholdBytes,
    // Uppy cuts the parts itself: exactly docdrop's plan, or the signed lengths would not match.
    getChunkSize: (file) => planParts(file.size).partSize,

    async getUploadParameters(file): Promise<AwsS3UploadParameters> {
      const { data, fileName, contentType } = describe(file);
      const digest = await sha256Of(data);
      const signed = await call<Signed>('POST', '', { fileName, contentType, size: data.size, sha256: digest.base64 });
      if (signed.method !== 'PUT') throw new Error('docdrop answered a multipart plan to a single upload.');
      singlePuts.set(signed.url, signed.uploadId);
      // The browser sets Content-Length from the body; a script may not (XMLHttpRequest refuses it).
      const { 'content-length': _length, ...headers } = signed.headers;
      return { method: 'PUT', url: signed.url, headers };
    },

    async uploadPartBytes(request) {
      const sent = await AwsS3.uploadPartBytes(request);
      const uploadId = singlePuts.get(request.signature.url);
      if (uploadId === undefined) return sent;
      singlePuts.delete(request.signature.url);
      const receipt = await call<DocdropReceipt>('POST', `/${uploadId}/confirm`);
      return { ...sent, ...receipt, uploadId };
    },

    async createMultipartUpload(file) {
      const { data, fileName, contentType } = describe(file);
      const plan = planParts(data.size);
      const signed = await call<Signed>('POST', '', { fileName, contentType, size: data.size, multipart: true });
      if (signed.method !== 'MULTIPART') throw new Error('docdrop answered a single PUT to a multipart upload.');
      if (signed.partSize !== plan.partSize || signed.partCount !== plan.partCount) {
        await call('DELETE', `/${signed.uploadId}`).catch(() => undefined);
        throw new Error(
          `docdrop planned ${signed.partCount} parts of ${signed.partSize} bytes, Uppy would cut ${plan.partCount} of ${plan.partSize}.`,
        );
      }
      // Uppy needs a key to go with the upload id; docdrop chooses the real key itself.
      return { uploadId: signed.uploadId, key: signed.uploadId };
    },

    async signPart(_file, { uploadId, partNumber, body }) {
      const digest = await sha256Of(body);
      const answer = await call<{ parts: SignedPart[] }>('POST', `/${uploadId}/parts`, {
        parts: [{ partNumber, size: body.size, sha256: digest.base64 }],
      });
      const part = answer.parts.find((signed) => signed.partNumber === partNumber);
      if (!part) throw new Error(`docdrop did not sign part ${partNumber}.`);
      return {
        method: 'PUT',
        url: part.url,
        headers: { 'x-amz-checksum-sha256': part.headers['x-amz-checksum-sha256'] },
      };
    },

    async listParts(_file, { uploadId }): Promise<AwsS3Part[]> {
      const answer = await call<{ parts: StoredPart[] }>('GET', `/${uploadId}/parts`);
      return answer.parts.map((part) => ({ PartNumber: part.partNumber, Size: part.size, ETag: part.etag }));
    },

    // Uppy's ETags are not sent: docdrop completes with the parts S3 holds, checked against its plan.
    async completeMultipartUpload(_file, { uploadId }) {
      const receipt: DocdropReceipt & { location?: string } = {
        ...(await call<DocdropReceipt>('POST', `/${uploadId}/complete`)),
        uploadId,
      };
      return receipt;
    },

    async abortMultipartUpload(_file, { uploadId }) {
      if (uploadId === undefined) return;
      await call('DELETE', `/${uploadId}`).catch((error: unknown) => {
        // Completed after all (`upload_arrived`): nothing left to abort.
        if (!(error instanceof ApiError && error.code === 'upload_arrived')) throw error;
      });
    },
  };
}
