import { type SUPPORTED_TYPES, TYPE_NAMES } from '#contracts/limits';

const UNITS = ['bytes', 'KB', 'MB', 'GB'];

/** 1536 -> "1.5 KB" (binary multiples, as the limits are defined). */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0
    ? `${bytes} ${bytes === 1 ? 'byte' : 'bytes'}`
    : `${value.toFixed(value < 10 ? 1 : 0)} ${UNITS[unit]}`;
}

export function formatDate(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** "PDF", "Plain text file": the contract's name, capitalised to start a list item. */
export const typeName = (type: string): string => {
  const name = TYPE_NAMES[type as keyof typeof TYPE_NAMES];
  return name ? name.charAt(0).toUpperCase() + name.slice(1) : type;
};

/** File-name endings for the file picker's `accept`, so phones offer the right files. */
const EXTENSIONS: Record<(typeof SUPPORTED_TYPES)[number], string[]> = {
  'application/pdf': ['.pdf'],
  'image/jpeg': ['.jpg', '.jpeg'],
  'image/png': ['.png'],
  'image/webp': ['.webp'],
  'image/gif': ['.gif'],
  'image/avif': ['.avif'],
  'text/plain': ['.txt'],
};

export function acceptAttribute(types: readonly string[]): string {
  return types.flatMap((type) => [type, ...(EXTENSIONS[type as keyof typeof EXTENSIONS] ?? [])]).join(',');
}

/** The type a browser reports, or one from the name's ending when it reports none (common for .txt on some systems). */
export function declaredTypeOf(file: File): string {
  if (file.type) return file.type.toLowerCase();
  const ending = /\.[^.]+$/.exec(file.name.toLowerCase())?.[0];
  const match = Object.entries(EXTENSIONS).find(([, endings]) => ending && endings.includes(ending));
  return match ? match[0] : 'application/octet-stream';
}

export function listOfTypes(types: readonly string[]): string {
  return types.map(typeName).join(', ');
}
