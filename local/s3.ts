import { mkdirSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import Module, { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { bucketCors } from '#contracts/bucket';
import { closeGracefully } from './graceful-close';
import { CHECKSUM_RESOURCE, extendS3rverMultipart } from './s3-multipart';
import { urlHost } from './url-host';

const require = createRequire(import.meta.url);

/**
 * The emulator canonicalises presigned query values with encodeURIComponent, which leaves
 * `!'()*` as they are, where SigV4 (and the SDK) percent-encode them: a download URL whose
 * Content-Disposition names `Invoice (1).pdf` or uses `filename*=UTF-8''` then fails its
 * signature check, although real S3 accepts it. Load its authentication middleware with the
 * RFC 3986 encoder it already ships, before anything else requires it.
 */
function loadS3rverWithRfc3986QuerySigning() {
  const path = require.resolve('@20minutes/s3rver/lib/middleware/authentication.js');
  const source = readFileSync(path, 'utf8');
  const faulty = '[param, value].map(encodeURIComponent)';
  if (!source.includes(faulty)) throw new Error('s3rver changed: review the query-signing fix in local/s3.ts');
  // Node's CommonJS internals, used as `require` itself does.
  const internals = Module as unknown as { _nodeModulePaths(dir: string): string[] };
  const fixed = new Module(path) as Module & { _compile(source: string, filename: string): void };
  fixed.filename = path;
  fixed.paths = internals._nodeModulePaths(dirname(path));
  fixed._compile(source.replace(faulty, '[param, value].map(encodeURIComponentRFC3986)'), path);
  fixed.loaded = true;
  require.cache[path] = fixed;
  return require('@20minutes/s3rver');
}
const S3rver = loadS3rverWithRfc3986QuerySigning();
extendS3rverMultipart();

/** The shape of the events the s3rver fork emits (keys not URL-encoded, unlike S3's). */
export interface EmulatorS3Event {
  readonly Records: readonly {
    readonly eventName: string;
    readonly s3: {
      readonly bucket: { readonly name: string };
      readonly object: { readonly key: string; readonly size?: number };
    };
  }[];
}

export interface LocalS3 {
  readonly endpoint: string;
  stop(): Promise<void>;
}

const escapeXml = (text: string) => text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

function corsXml(origins: readonly string[]): string {
  const tags = (name: string, values: readonly string[]) =>
    values.map((value) => `<${name}>${escapeXml(value)}</${name}>`).join('');
  return `<CORSConfiguration><CORSRule>${tags('AllowedOrigin', origins)}${tags('AllowedMethod', bucketCors.allowedMethods)}${tags(
    'AllowedHeader',
    bucketCors.allowedHeaders,
  )}${tags('ExposeHeader', bucketCors.exposedHeaders)}<MaxAgeSeconds>${bucketCors.maxAgeSeconds}</MaxAgeSeconds></CORSRule></CORSConfiguration>`;
}

interface FilesystemStore {
  getResourcePath(bucket: string, key: string, resource: string): string;
  deleteObject(bucket: string, key: string): Promise<void>;
}

/**
 * After a delete, the emulator removes folders that look empty (a readdir, then a recursive
 * rm). A PUT into the same prefix between the two answers 200 and is then lost with the
 * folder: seen as 1 upload in 60 under load. S3 has no folders, so delete only the object's
 * own files and leave the folders.
 */
function keepEmptyFolders(store: FilesystemStore): void {
  store.deleteObject = async (bucket, key) => {
    await Promise.all(
      ['object', 'object.md5', 'metadata.json', CHECKSUM_RESOURCE].map((resource) =>
        rm(store.getResourcePath(bucket, key, resource), { force: true }),
      ),
    );
  };
}

/** Starts the S3 emulator with the documents bucket and its CORS rules for the web origins. */
export async function startS3(options: {
  /** The address to listen on, and the name the endpoint (and so every presigned URL) gives. */
  host: string;
  advertisedHost: string;
  port: number;
  directory: string;
  bucket: string;
  webOrigins: readonly string[];
  onEvent: (event: EmulatorS3Event) => void;
}): Promise<LocalS3> {
  mkdirSync(options.directory, { recursive: true });
  const server = new S3rver({
    address: options.host,
    port: options.port,
    directory: options.directory,
    silent: true,
    vhostBuckets: false,
    configureBuckets: [{ name: options.bucket, configs: [corsXml(options.webOrigins)] }],
  });
  keepEmptyFolders(server.store);
  server.on('event', options.onEvent);
  const address: AddressInfo = await server.run();
  return {
    endpoint: `http://${urlHost(options.advertisedHost)}:${address.port}`,
    // Every PUT that got in before the close answers (and has queued its event) before this resolves.
    stop: () => closeGracefully(server.httpServer),
  };
}
