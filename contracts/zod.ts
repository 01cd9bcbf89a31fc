import { en } from 'zod/locales';
import { config } from 'zod/mini';

/**
 * zod's tree-shakable API (`zod/mini`), with zod's English messages. A Lambda bundle keeps
 * only the schemas and checks it uses (the classic chainable API keeps all of them, ~94 KB
 * minified), but mini ships no messages: every schema imports zod from here, so whatever
 * parses input answers with the messages clients have always had (en costs ~2.6 KB).
 */
config(en());

export * from 'zod/mini';
