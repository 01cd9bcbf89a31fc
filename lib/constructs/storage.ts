import { Aws, Duration, Fn, RemovalPolicy } from 'aws-cdk-lib';
import { AnyPrincipal, Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  HttpMethods,
  ObjectOwnership,
  StorageClass,
} from 'aws-cdk-lib/aws-s3';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { bucketCors, bucketLayout } from '#contracts/bucket';
import { multipart } from '#contracts/limits';

/** Days an incoming object or multipart upload may stay: a PUT's day, plus a multipart upload's open time. */
const INCOMING_DAYS = 1 + Math.ceil(multipart.uploadSeconds / 86_400);

export interface StorageProps {
  readonly noncurrentVersionDays: number;
  /** Days a malware rejection's or held file's bytes stay under quarantine/ (`docdrop:quarantineDays`). */
  readonly quarantineDays: number;
  readonly retainData: boolean;
}

/**
 * The documents bucket and what protects it: a customer KMS key, no public access, TLS only,
 * versioning, access logs, lifecycle, CORS for the web origins only (`allowBrowsersFrom`), and a
 * policy that denies reading a released object the validator has not tagged.
 */
export class Storage extends Construct {
  readonly bucket: Bucket;
  readonly key: Key;
  readonly accessLogs: Bucket;
  /**
   * The bucket's origin as presigned URLs name it (virtual-hosted, regional:
   * `https://<bucket>.s3.<region>.amazonaws.com`), for the web app's Content-Security-Policy.
   */
  readonly browserOrigin: string;

  constructor(scope: Construct, id: string, props: StorageProps) {
    super(scope, id);
    const removalPolicy = props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.key = new Key(this, 'Key', {
      description: 'docdrop documents bucket',
      enableKeyRotation: true,
      removalPolicy,
    });

    // S3 delivers server access logs only to SSE-S3 buckets.
    this.accessLogs = new Bucket(this, 'AccessLogs', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      lifecycleRules: [
        { id: 'expire-access-logs', expiration: Duration.days(365), noncurrentVersionExpiration: Duration.days(30) },
      ],
      removalPolicy,
      autoDeleteObjects: !props.retainData,
    });
    NagSuppressions.addResourceSuppressions(this.accessLogs, [
      {
        id: 'NIST.800.53.R5-S3BucketReplicationEnabled',
        reason: 'Access logs are kept in one region; replication is an operator choice, not a default.',
      },
      {
        id: 'NIST.800.53.R5-S3DefaultEncryptionKMS',
        reason: 'S3 server access logs can only be delivered to SSE-S3 encrypted buckets.',
      },
    ]);

    // A name of our own, unique by the stack's id, so the web app's Content-Security-Policy can name
    // the bucket without referring to it: the bucket's CORS names the distribution, which sends that
    // policy, and a reference each way would be a dependency cycle.
    const bucketName = `docdrop-documents-${Fn.select(2, Fn.split('/', Aws.STACK_ID))}`;
    this.browserOrigin = `https://${bucketName}.s3.${Aws.REGION}.${Aws.URL_SUFFIX}`;
    this.bucket = new Bucket(this, 'Documents', {
      bucketName,
      encryption: BucketEncryption.KMS,
      encryptionKey: this.key,
      bucketKeyEnabled: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'documents/',
      lifecycleRules: [
        {
          id: 'released-documents-tiering',
          prefix: bucketLayout.filesPrefix,
          // Instant Retrieval rather than Flexible Retrieval: a download must work at once,
          // without a restore request and its hours of waiting.
          transitions: [
            { storageClass: StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(30) },
            { storageClass: StorageClass.GLACIER_INSTANT_RETRIEVAL, transitionAfter: Duration.days(60) },
          ],
        },
        { id: 'expire-old-versions', noncurrentVersionExpiration: Duration.days(props.noncurrentVersionDays) },
        { id: 'abort-incomplete-multipart', abortIncompleteMultipartUploadAfter: Duration.days(7) },
        {
          id: 'sweep-never-validated-uploads',
          prefix: bucketLayout.incomingPrefix,
          // A completed multipart object is dated from its upload's creation, up to
          // `multipart.uploadSeconds` before it arrived: it gets that long more than a PUT's day.
          expiration: Duration.days(INCOMING_DAYS),
          noncurrentVersionExpiration: Duration.days(1),
          // The backstop of the sweep, which aborts a multipart upload at its expiresAt.
          abortIncompleteMultipartUploadAfter: Duration.days(INCOMING_DAYS),
        },
        {
          // Held files are given up by the sweep when these days end (their record says so).
          id: 'expire-quarantine',
          prefix: bucketLayout.quarantinePrefix,
          expiration: Duration.days(props.quarantineDays),
          noncurrentVersionExpiration: Duration.days(1),
        },
      ],
      removalPolicy,
      autoDeleteObjects: !props.retainData,
    });
    NagSuppressions.addResourceSuppressions(this.bucket, [
      {
        id: 'NIST.800.53.R5-S3BucketReplicationEnabled',
        reason:
          'Cross-region replication doubles storage cost and is an operator choice; versioning and retention protect against loss within the region.',
      },
    ]);

    // Belt and braces with the download handler's status check: a released object can be
    // read only once the validator has tagged it.
    this.bucket.addToResourcePolicy(
      new PolicyStatement({
        sid: 'DenyReadingUnreleasedDocuments',
        effect: Effect.DENY,
        principals: [new AnyPrincipal()],
        actions: ['s3:GetObject', 's3:GetObjectVersion'],
        resources: [
          this.bucket.arnForObjects(`${bucketLayout.filesPrefix}*`),
          this.bucket.arnForObjects(`${bucketLayout.thumbsPrefix}*`),
          this.bucket.arnForObjects(`${bucketLayout.profilesPrefix}*`),
        ],
        conditions: {
          StringNotEquals: { [`s3:ExistingObjectTag/${bucketLayout.releaseTag.key}`]: bucketLayout.releaseTag.value },
        },
      }),
    );
  }

  /** Lets browsers on these origins PUT presigned uploads and GET presigned downloads (one CORS rule). */
  allowBrowsersFrom(origins: readonly string[]): void {
    this.bucket.addCorsRule({
      allowedOrigins: [...new Set(origins)],
      allowedMethods: bucketCors.allowedMethods.map((method) => HttpMethods[method]),
      allowedHeaders: [...bucketCors.allowedHeaders],
      exposedHeaders: [...bucketCors.exposedHeaders],
      maxAge: bucketCors.maxAgeSeconds,
    });
  }
}
