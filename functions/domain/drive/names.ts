import { createHash } from 'node:crypto';
import { limits } from '#contracts/limits';

/**
 * Names within a folder: how they compare, how a taken one is varied, and the keys that
 * make them unique. Pure functions; the DynamoDB side is in name-claims.ts.
 */

/** The folder id of the top level of an owner's space. */
export const ROOT = 'root';

/**
 * How names compare: case-insensitively, after Unicode normalisation, so `Report.pdf`,
 * `report.PDF` and a decomposed `Re\u0301sume\u0301` vs a composed `Résumé` are one name.
 */
export const nameKeyOf = (name: string): string => name.normalize('NFC').toLocaleLowerCase('en-US');

/**
 * The sort key of a name claim. Hashed, because a 255-character name can exceed what a
 * DynamoDB sort key holds once it is UTF-8; the claim keeps the name itself beside it.
 */
export const claimIdOf = (folderId: string, name: string): string =>
  `name#${folderId}#${createHash('sha256').update(nameKeyOf(name)).digest('base64url')}`;

/** The extension a numbered copy keeps after its number: the last dot's, unless it starts the name (`.env`). */
function splitExtension(name: string): { base: string; extension: string } {
  const dot = name.lastIndexOf('.');
  if (dot <= 0 || dot === name.length - 1 || name.length - dot > 17) return { base: name, extension: '' };
  return { base: name.slice(0, dot), extension: name.slice(dot) };
}

/**
 * The `n`-th alternative to a taken name, as desktop systems number copies: `report.pdf`
 * becomes `report (1).pdf`, `(2)` ... The base is shortened (by whole characters) so the
 * result stays within the name limit and keeps its number and extension.
 */
export function numberedName(name: string, n: number): string {
  const { base, extension } = splitExtension(name);
  const suffix = ` (${n})${extension}`;
  const room = limits.fileNameMaxChars - [...suffix].length;
  const chars = [...base];
  const kept = chars.length > room ? chars.slice(0, Math.max(1, room)).join('').trimEnd() : base;
  return `${kept}${suffix}`;
}

/** How many numbered alternatives an upload tries before it gives up with a conflict. */
export const MAX_NUMBERED_COPIES = 500;

/** The `listKey` of a folder's files, and of its subfolders: what the listing indexes partition on. */
export const listKeyOfFiles = (ownerId: string, folderId: string): string => `files/${ownerId}/${folderId}`;
export const listKeyOfFolders = (ownerId: string, parentId: string): string => `folders/${ownerId}/${parentId}`;

/** `size` as text that sorts like the number (16 digits hold any size up to 5 GiB and far beyond). */
export const sizeKeyOf = (size: number): string => String(size).padStart(16, '0');
