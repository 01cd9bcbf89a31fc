import { REFUSED_TYPES } from '#contracts/limits';
import { declaredTypeOf, formatBytes, listOfTypes } from './format';

/** What the API will accept for this upload: the link's limits, or the owner's defaults. */
export interface UploadPolicy {
  readonly maxBytes: number;
  readonly allowedTypes: readonly string[];
}

/** Why this file cannot be sent, checked before any byte leaves the browser; undefined if it may. */
export function refusalOf(file: File, policy: UploadPolicy): string | undefined {
  const type = declaredTypeOf(file);
  if (file.size === 0) return `${file.name} is empty.`;
  const refused = REFUSED_TYPES[type];
  if (refused) return `${file.name}: ${refused}`;
  if (!policy.allowedTypes.includes(type)) {
    return `${file.name} is not a type accepted here. Accepted: ${listOfTypes(policy.allowedTypes)}.`;
  }
  if (file.size > policy.maxBytes) {
    return `${file.name} is ${formatBytes(file.size)}; the limit here is ${formatBytes(policy.maxBytes)}.`;
  }
  return undefined;
}
