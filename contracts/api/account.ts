import { pageQuery } from './common';
import type { Operation } from './operation';

export const health = { summary: 'Whether the API answers.' } satisfies Operation;

export const getUsage = {
  summary: 'Storage used, reserved by uploads in flight, the quota and what is left.',
} satisfies Operation;

export const listAuditTrail = {
  summary: 'The caller’s audit trail, newest first.',
  query: pageQuery,
} satisfies Operation;
