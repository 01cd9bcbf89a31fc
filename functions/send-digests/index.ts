import type { Context } from 'aws-lambda';
import { logger } from '#commons/logger';
import { digestSenderFromEnvironment } from '#commons/notices';
import { sendDigests } from '#domain/notices/digests';

const deps = digestSenderFromEnvironment();

/**
 * Run once a day (EventBridge; locally a timer): the daily digests of the UTC days before the
 * event's time. A scheduled event carries its time; a failed owner fails the run, for a retry.
 */
export async function handler(event: { time?: string }, context: Context) {
  logger.addContext(context);
  const at = event?.time ? new Date(event.time) : new Date();
  const now = Number.isNaN(at.getTime()) ? new Date() : at;
  const result = await sendDigests(deps, now);
  if (result.failed > 0) throw new Error(`${result.failed} daily digest(s) not sent`);
  return result;
}
