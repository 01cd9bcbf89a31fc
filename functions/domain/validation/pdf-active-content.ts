/**
 * Finds what a PDF carries that acts when it is opened, by parsing it and walking every
 * indirect object the parser decoded, object streams included: a name inside a compressed
 * object stream is invisible to a byte search.
 *
 * pdf-lib's parser, not pdf.js: it reads the file front to back into one table of every
 * object (which is what this walk needs; pdf.js answers only what its viewer asks for, e.g.
 * `getJSActions`, and misses objects no viewer path reaches), it yields every few objects (so
 * a deadline can stop it), and its parser alone bundles to ~280 KB against pdf.js's ~500 KB
 * plus a 1.3 MB worker loaded from disk. pdf-lib is no longer released (1.17.1, 2021): only its
 * parser is used, inside the bounds below. Loaded lazily (pdf-gate.ts): only a PDF pays for it.
 */
import { constants, inflateSync } from 'node:zlib';
import PDFArray from 'pdf-lib/es/core/objects/PDFArray.js';
import PDFDict from 'pdf-lib/es/core/objects/PDFDict.js';
import PDFName from 'pdf-lib/es/core/objects/PDFName.js';
import type PDFObject from 'pdf-lib/es/core/objects/PDFObject.js';
import type PDFRawStream from 'pdf-lib/es/core/objects/PDFRawStream.js';
import PDFRef from 'pdf-lib/es/core/objects/PDFRef.js';
import PDFStream from 'pdf-lib/es/core/objects/PDFStream.js';
import type PDFContext from 'pdf-lib/es/core/PDFContext.js';
import PDFObjectStreamParser from 'pdf-lib/es/core/parser/PDFObjectStreamParser.js';
import PDFParser from 'pdf-lib/es/core/parser/PDFParser.js';
import PDFXRefStreamParser from 'pdf-lib/es/core/parser/PDFXRefStreamParser.js';
import type { ActiveContentKind } from '#contracts/api/drive';
import { MiB } from '#contracts/limits';

export interface PdfInspectionBounds {
  /** Bytes a PDF may have to be inspected at all (it is held whole in memory). */
  readonly maxBytes: number;
  /** Bytes all its object and cross-reference streams may decode to: a small stream can inflate a thousandfold. */
  readonly maxDecodedBytes: number;
  /** How long parsing and walking may take. */
  readonly timeoutMs: number;
}

export type FoundKind = Exclude<ActiveContentKind, 'not_inspected'>;

export type PdfInspection =
  | { readonly inspected: true; readonly kinds: readonly FoundKind[] }
  /** `why` completes "it could not be checked for active content: ...". */
  | { readonly inspected: false; readonly why: string };

const name = (value: string) => PDFName.of(value);
const S = name('S');
const TYPE = name('Type');
const SUBTYPE = name('Subtype');
const FILTER = name('Filter');
const FLATE = name('FlateDecode');
const ROOT_TYPE = name('Catalog');
const PAGE_TYPE = name('Page');
const GOTO = name('GoTo');

/** Keys whose presence alone says what a dictionary carries (names arrive decoded: `/Java#53cript` is `/JavaScript`). */
const KINDS_BY_KEY = new Map<PDFName, FoundKind>([
  [name('JS'), 'javascript'],
  [name('JavaScript'), 'javascript'], // the document-level name tree in the catalog's /Names
  [name('EmbeddedFiles'), 'embedded_file'], // the name tree of attached files
  [name('EF'), 'embedded_file'], // a file specification that embeds its file
]);
const KINDS_BY_ACTION = new Map<PDFName, FoundKind>([
  [name('JavaScript'), 'javascript'],
  [name('Launch'), 'launch_action'],
]);

class Refused extends Error {}

/**
 * Per parse: the decoded bytes so far and the deadline. pdf-lib decodes object and
 * cross-reference streams inside its parser, so the budget is enforced where it hands them
 * over (`admit`, below), keyed by the parse's context so concurrent parses keep their own.
 */
class Budget {
  decoded = 0;
  refusal: string | undefined;
  constructor(
    readonly bounds: PdfInspectionBounds,
    readonly deadline: number,
  ) {}

  admit(stream: PDFRawStream): void {
    if (this.refusal) throw new Refused(this.refusal);
    const filter = stream.dict.lookup(FILTER);
    const filters = filter instanceof PDFArray ? filter.asArray() : filter ? [filter] : [];
    // Writers use Flate; another filter here is unusual, and LZW could hide a bomb of its own.
    if (filters.length > 1 || (filters.length === 1 && filters[0] !== FLATE)) {
      this.refuse('it stores its objects in an unusual encoding');
    }
    this.count(filters.length === 0 ? stream.getContents().length : this.inflatedSize(stream));
  }

  /** zlib stops at the budget instead of inflating a bomb; pdf-lib then inflates the stream itself. */
  private inflatedSize(stream: PDFRawStream): number {
    const room = Math.max(this.bounds.maxDecodedBytes - this.decoded, 1);
    try {
      return inflateSync(stream.getContents(), { maxOutputLength: room, finishFlush: constants.Z_SYNC_FLUSH }).length;
    } catch (error) {
      if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') this.refuse(this.tooMuch());
      return this.refuse('it could not be read as a PDF (a damaged object stream)');
    }
  }

  private tooMuch = () => `its objects decode to more than ${Math.floor(this.bounds.maxDecodedBytes / MiB)} MiB`;

  private count(bytes: number): void {
    this.decoded += bytes;
    if (this.decoded > this.bounds.maxDecodedBytes) this.refuse(this.tooMuch());
  }

  refuse(why: string): never {
    this.refusal ??= why;
    throw new Refused(this.refusal);
  }

  tick(): void {
    if (this.refusal) throw new Refused(this.refusal);
    if (Date.now() > this.deadline) this.refuse(`checking it took longer than ${this.bounds.timeoutMs / 1000} s`);
  }
}

const budgets = new WeakMap<PDFContext, Budget>();
let hooked = false;

/** Once per process: every stream pdf-lib decodes while parsing passes its parse's budget first. */
function hookStreamDecoding(): void {
  if (hooked) return;
  hooked = true;
  const objectStreams = PDFObjectStreamParser.forStream;
  PDFObjectStreamParser.forStream = (raw, shouldWaitForTick) => {
    budgets.get(raw.dict.context)?.admit(raw);
    return objectStreams(raw, shouldWaitForTick);
  };
  const xrefStreams = PDFXRefStreamParser.forStream;
  PDFXRefStreamParser.forStream = (raw) => {
    budgets.get(raw.dict.context)?.admit(raw);
    return xrefStreams(raw);
  };
}

/**
 * What the parser keeps private: its context (to key the budget), its yield check (to hold the
 * deadline), its bytes, and the header match its skipping of damaged stretches tries at every byte.
 */
interface ParserInternals {
  readonly context: PDFContext & { assign(ref: PDFRef, object: PDFObject): void };
  readonly bytes: { peekAt(offset: number): number | undefined; offset(): number };
  shouldWaitForTick: () => boolean;
  matchIndirectObjectHeader: () => boolean;
}

/** Every this many bytes of a damaged stretch skipped, the deadline is checked. */
const BYTES_PER_DEADLINE_CHECK = 64 * 1024;
/**
 * Positions a parse may try as an object header while skipping damaged stretches. Real PDFs have
 * at most a few bytes between objects (streams are read by their length, not skipped); each try
 * holds the event loop, so a file mostly not made of PDF objects is given up as damaged early.
 */
const MAX_SKIPPED_POSITIONS = 1024 * 1024;

const isDigit = (byte: number | undefined): boolean => byte !== undefined && byte >= 0x30 && byte <= 0x39;
/** PDF whitespace (NUL, tab, LF, FF, CR, space) or `%`, which starts a comment the header may hold. */
const mayFollowNumber = (byte: number | undefined): boolean =>
  byte === 0x00 || byte === 0x09 || byte === 0x0a || byte === 0x0c || byte === 0x0d || byte === 0x20 || byte === 0x25;

/**
 * Whether an object header (`<number> <generation> obj`) may start here: a number followed by
 * whitespace or a comment. Cheap and without a throw; where it may, pdf-lib's own match decides.
 */
function mayStartObjectHeader(bytes: ParserInternals['bytes']): boolean {
  let at = bytes.offset();
  if (!isDigit(bytes.peekAt(at))) return false;
  while (isDigit(bytes.peekAt(at))) at++;
  return mayFollowNumber(bytes.peekAt(at));
}

const ENCRYPT_MARK = Buffer.from('/Encrypt');
/** Objects the parser handles between yields: small enough that the deadline is checked often. */
const OBJECTS_PER_TICK = 200;

export async function inspectPdf(bytes: Uint8Array, bounds: PdfInspectionBounds): Promise<PdfInspection> {
  if (bytes.length > bounds.maxBytes) {
    return { inspected: false, why: `it is larger than ${Math.floor(bounds.maxBytes / MiB)} MiB` };
  }
  // Strings and streams of an encrypted PDF (object streams among them) are ciphertext. The
  // mark is looked for in the raw bytes: a false match only makes a file "not inspected".
  if (Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).includes(ENCRYPT_MARK)) {
    return { inspected: false, why: 'it is encrypted' };
  }
  hookStreamDecoding();
  const budget = new Budget(bounds, Date.now() + bounds.timeoutMs);
  // Invalid objects throw rather than being guessed at (and logged by pdf-lib's console.warn):
  // an object this parser cannot read may be one a viewer can.
  const parser = PDFParser.forBytesWithOptions(bytes, OBJECTS_PER_TICK, true);
  const internals = parser as unknown as ParserInternals;
  budgets.set(internals.context, budget);
  // Every object as it is parsed, not just the table the parse ends with: a later definition
  // of the same number (an incremental update) replaces the earlier one there, while a viewer
  // following the cross-reference table may use either.
  const parsed: PDFObject[] = [];
  const assign = internals.context.assign.bind(internals.context);
  internals.context.assign = (ref, object) => {
    parsed.push(object);
    assign(ref, object);
  };
  const yieldCheck = internals.shouldWaitForTick;
  internals.shouldWaitForTick = () => {
    budget.tick();
    return yieldCheck();
  };
  // pdf-lib skips a damaged stretch (or a non-PDF behind a PDF header) by trying an object
  // header at every printable byte, each failure a thrown error: 1.5 s per MiB of random bytes,
  // in one synchronous loop its yield check never sees. An object header starts with a number
  // and whitespace, so other bytes are refused without the throw, and the deadline is checked as
  // it goes.
  const matchHeader = internals.matchIndirectObjectHeader.bind(parser);
  let lastCheck = 0;
  let tries = 0;
  internals.matchIndirectObjectHeader = () => {
    const offset = internals.bytes.offset();
    if (offset - lastCheck >= BYTES_PER_DEADLINE_CHECK) {
      lastCheck = offset;
      budget.tick();
    }
    if (++tries > MAX_SKIPPED_POSITIONS) budget.refuse('it is damaged: most of it is not PDF objects');
    return mayStartObjectHeader(internals.bytes) && matchHeader();
  };
  let context: PDFContext;
  try {
    context = await parser.parseDocument();
    budget.tick();
  } catch (error) {
    // pdf-lib's own errors (and a stack overflow on deep nesting, which it rethrows as one) say little more.
    if (!(error instanceof Error)) throw error;
    return { inspected: false, why: budget.refusal ?? 'it could not be read as a PDF (damaged or not a PDF)' };
  }
  try {
    return { inspected: true, kinds: findKinds(context, parsed, budget) };
  } catch (error) {
    if (error instanceof Refused) return { inspected: false, why: error.message };
    throw error;
  }
}

/**
 * Every indirect object parsed, and every dictionary and array inside each (iteratively:
 * nesting can be deep), looked at once. References are not followed: what they point at is
 * an indirect object of its own and is visited as one.
 */
function findKinds(context: PDFContext, parsed: readonly PDFObject[], budget: Budget): FoundKind[] {
  const found = new Set<FoundKind>();
  const catalog = context.lookup(context.trailerInfo.Root);
  const stack: PDFObject[] = [...parsed];
  let visited = 0;
  while (stack.length > 0) {
    const object = stack.pop() as PDFObject;
    if (++visited % 10_000 === 0) budget.tick();
    if (object instanceof PDFArray) {
      stack.push(...object.asArray());
      continue;
    }
    const dict = object instanceof PDFStream ? object.dict : object instanceof PDFDict ? object : undefined;
    if (!dict) continue;
    for (const kind of kindsOfDict(context, dict, dict === catalog)) found.add(kind);
    for (const [, value] of dict.entries()) stack.push(value);
  }
  return [...found].sort();
}

function* kindsOfDict(context: PDFContext, dict: PDFDict, isRoot: boolean): Generator<FoundKind> {
  const type = dict.get(TYPE);
  const isCatalog = isRoot || type === ROOT_TYPE;
  for (const [key] of dict.entries()) {
    const kind = KINDS_BY_KEY.get(key);
    if (kind) yield kind;
  }
  const action = KINDS_BY_ACTION.get(dict.get(S) as PDFName);
  if (action) yield action;
  if (dict.get(SUBTYPE) === name('FileAttachment') || type === name('EmbeddedFile')) yield 'embedded_file';
  // Triggers: the document's open action (a plain destination, or a GoTo within it, only
  // turns to a page) and the document's and pages' additional actions.
  if (isCatalog && isActingOpenAction(context, dict.get(name('OpenAction')))) yield 'open_action';
  if ((isCatalog || type === PAGE_TYPE) && dict.get(name('AA'))) yield 'open_action';
}

function isActingOpenAction(context: PDFContext, value: PDFObject | undefined): boolean {
  const action = value instanceof PDFRef ? context.lookup(value) : value;
  return action instanceof PDFDict && action.get(S) !== GOTO;
}
