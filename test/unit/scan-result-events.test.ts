import { describe, expect, it } from 'vitest';
import { isScanResultEvent, scanResultEventSchema } from '../../functions/commons/s3-events';
import { EICAR_THREAT, isEicar, scanResultEventFor } from '../../local/malware-scanner';

/**
 * The validator's parser for GuardDuty's "Malware Protection Object Scan Result" event.
 * GAP: GuardDuty's documented example event could not be read verbatim from this workplace;
 * `documentedShape` is written from the fields the GuardDuty User Guide names
 * ("Monitoring S3 object scans with Amazon EventBridge": schemaVersion, scanStatus,
 * resourceType, s3ObjectDetails with bucketName, objectKey, eTag, versionId, s3Throttled, and
 * scanResultDetails with scanResultStatus and threats), with null where an unversioned
 * bucket or a clean scan has no value. Replace it with AWS's example when it can be copied.
 */
const documentedShape = {
  version: '0',
  id: '72c7d362-737a-6dce-fc78-9e27a0171419',
  'detail-type': 'GuardDuty Malware Protection Object Scan Result',
  source: 'aws.guardduty',
  account: '111122223333',
  time: '2024-02-28T01:01:01Z',
  region: 'us-east-1',
  resources: ['arn:aws:guardduty:us-east-1:111122223333:malware-protection-plan/b4c7f464ab3a4EXAMPLE'],
  detail: {
    schemaVersion: '1.0',
    scanStatus: 'COMPLETED',
    resourceType: 'S3_OBJECT',
    s3ObjectDetails: {
      bucketName: 'amzn-s3-demo-bucket',
      objectKey: 'incoming/owner/file',
      eTag: 'ASIAI44QH8DHBEXAMPLE',
      versionId: null,
      s3Throttled: false,
    },
    scanResultDetails: { scanResultStatus: 'THREATS_FOUND', threats: [{ name: 'EICAR-Test-File (not a virus)' }] },
  },
};

// Assembled so that no scanner flags this source.
const EICAR = `X5O!P%@AP[4\\PZX54(P^)7CC)7}$${'EICAR-STANDARD'}-ANTIVIRUS-TEST-FILE!$H+H*`;

describe('the scan-result event parser', () => {
  it('reads the bucket, key, result and threat names of GuardDuty’s event shape', () => {
    // act
    const { detail } = scanResultEventSchema.parse(documentedShape);

    // assess
    expect(isScanResultEvent(documentedShape)).toBe(true);
    expect(detail.s3ObjectDetails).toMatchObject({
      bucketName: 'amzn-s3-demo-bucket',
      objectKey: 'incoming/owner/file',
    });
    expect(detail.scanResultDetails.scanResultStatus).toBe('THREATS_FOUND');
    expect(detail.scanResultDetails.threats?.map((threat) => threat.name)).toEqual([EICAR_THREAT]);
  });

  it('reads the stand-in scanner’s event with the same parser', () => {
    // act
    const parsed = scanResultEventSchema.parse(scanResultEventFor('bucket', 'incoming/o/f', 'NO_THREATS_FOUND', []));

    // assess
    expect(parsed.detail.scanResultDetails).toMatchObject({ scanResultStatus: 'NO_THREATS_FOUND', threats: null });
  });

  it('refuses another detail type, another resource type and an unknown result', () => {
    // act
    const results = [
      { ...documentedShape, 'detail-type': 'GuardDuty Malware Protection Post Scan Action Failed' },
      { ...documentedShape, detail: { ...documentedShape.detail, resourceType: 'EBS_VOLUME' } },
      {
        ...documentedShape,
        detail: { ...documentedShape.detail, scanResultDetails: { scanResultStatus: 'CLEAN' } },
      },
    ].map((event) => scanResultEventSchema.safeParse(event).success);

    // assess
    expect(results).toEqual([false, false, false]);
  });

  it('tells an S3 notification from a scan result', () => {
    expect(isScanResultEvent({ Records: [] })).toBe(false);
  });
});

describe('the stand-in scanner’s EICAR check', () => {
  it('recognises the 68-byte EICAR string, alone or followed by whitespace up to 128 bytes', () => {
    const bytes = (text: string) => new TextEncoder().encode(text);
    expect(isEicar(bytes(EICAR), 68)).toBe(true);
    expect(isEicar(bytes(`${EICAR}  \r\n`), 72)).toBe(true);
  });

  it('does not take the string inside other content, or a file longer than 128 bytes, for EICAR', () => {
    const bytes = (text: string) => new TextEncoder().encode(text);
    expect(isEicar(bytes(`${EICAR}x`), 69)).toBe(false);
    expect(isEicar(bytes(`x${EICAR}`), 69)).toBe(false);
    expect(isEicar(bytes(EICAR), 129)).toBe(false);
  });
});
