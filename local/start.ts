import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { limits } from '#contracts/limits';
import { buildWeb } from '../web/build';
import { localMessageLine } from './cognito';
import { DataDirInUseError } from './data-dir-lock';
import { DEMO_OWNER } from './owners';
import { type LocalSystem, PortInUseError, startLocalSystem } from './system';

const HELP = `Usage: npm start [-- [--fresh] [--data-dir <path>] [--quota-bytes <n>] [--host <addr>] [--web-origin <origin>]...]

Starts docdrop on this machine: S3, DynamoDB and Cognito emulators, the validator, and the
API gateway with the web app (built on every start). Data persists in .docdrop/ between runs.

  --fresh             wipe the data folder first and start from nothing (refused while a
                      docdrop runs on it, and nothing is wiped if a port is taken)
  --data-dir <path>   the data folder (default .docdrop), e.g. to run a second system
  --quota-bytes <n>   each owner's storage quota in bytes (default ${limits.quota.defaultBytes},
                      from contracts/limits.ts; the cloud's docdrop:defaultQuotaBytes)
  --host <addr>       where the web app, API, S3 and Cognito listen (default 127.0.0.1):
                      an address of this machine, or 0.0.0.0 for all, lets a phone on the
                      same network in; DynamoDB stays on loopback
  --web-origin <o>    a page on another origin (e.g. http://localhost:5173) that may call
                      the API and PUT to the bucket; repeatable (the cloud's docdrop:webOrigins)
  --help              this text

Ports: PORT (gateway, 3000), S3_PORT (4569), DYNAMODB_PORT (8000), COGNITO_PORT (9229).
REQUIRE_MFA=true: every owner must set up an authenticator app (the cloud's docdrop:requireMfa).
MALWARE_SCAN=off runs without the malware gate (default guardduty: a stand-in scanner that knows only EICAR);
MALWARE_SCAN_MAX_BYTES lowers the size above which the stand-in cannot scan (a held file), MALWARE_SCAN_DELAY_MS delays its results.`;

/**
 * The stand-in scanner's local settings: MALWARE_SCAN_MAX_BYTES (above it a scan cannot decide:
 * default GuardDuty's quota) and MALWARE_SCAN_DELAY_MS (how long each scan takes: default none).
 */
function standInScannerSettings(): { maxScanBytes?: number; delayMs?: number } {
  const read = (name: string) => {
    const raw = process.env[name];
    if (raw === undefined || raw === '') return undefined;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a whole number, not "${raw}"`);
    return value;
  };
  const maxScanBytes = read('MALWARE_SCAN_MAX_BYTES');
  const delayMs = read('MALWARE_SCAN_DELAY_MS');
  return { ...(maxScanBytes === undefined ? {} : { maxScanBytes }), ...(delayMs === undefined ? {} : { delayMs }) };
}

function portFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    console.error(`${name} must be a port number between 1 and 65535, not "${raw}".`);
    process.exit(2);
  }
  return port;
}

/** The operator's `docdrop:requireMfa`, as an environment variable like the ports. */
function requireMfaFromEnv(): boolean {
  const raw = process.env.REQUIRE_MFA ?? '';
  if (raw === '' || raw === 'false') return false;
  if (raw === 'true') return true;
  console.error(`REQUIRE_MFA must be true or false, not "${raw}".`);
  process.exit(2);
}

/** The handlers' own setting (DEFAULT_QUOTA_BYTES), so the local system is configured as the stack configures Lambda. */
function quotaEnvironment(raw: string | undefined): Record<string, string> {
  if (raw === undefined) return {};
  const bytes = Number(raw);
  if (!Number.isSafeInteger(bytes) || bytes < 1) {
    console.error(`--quota-bytes must be a whole number of bytes above 0, not "${raw}".`);
    process.exit(2);
  }
  return { DEFAULT_QUOTA_BYTES: String(bytes) };
}

/** Exact origins, as the stack's `docdrop:webOrigins` takes them: CORS compares them byte for byte. */
function webOrigins(raw: readonly string[]): string[] {
  for (const origin of raw) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    if (parsed?.origin !== origin || !/^https?:$/.test(parsed.protocol)) {
      console.error(
        `--web-origin must be an origin such as http://localhost:5173 (no path, no slash at the end), not "${origin}".`,
      );
      process.exit(2);
    }
  }
  return [...raw];
}

/** Said plainly at start: who else can reach this system. */
function exposure(host: string | undefined, origins: readonly string[]): string {
  const lines: string[] = [];
  if (host !== undefined && host !== '127.0.0.1')
    lines.push(
      `  NOTE          listening on ${host}: any device that reaches it can use the web app, API, S3 and Cognito (and the demo owner's password above)`,
    );
  if (origins.length > 0) lines.push(`  web origins   ${origins.join(', ')} may call the API and PUT to the bucket`);
  return lines.map((line) => `${line}\n`).join('');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      fresh: { type: 'boolean' },
      help: { type: 'boolean' },
      'quota-bytes': { type: 'string' },
      'data-dir': { type: 'string' },
      host: { type: 'string' },
      'web-origin': { type: 'string', multiple: true },
    },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const environment = quotaEnvironment(values['quota-bytes']);
  const requireMfa = requireMfaFromEnv();
  const dataDir = resolve(values['data-dir'] ?? '.docdrop');
  // Emulator chatter and handler logs stay structured JSON lines; the banner below is for people.
  process.env.POWERTOOLS_LOG_LEVEL ??= 'INFO';
  // The web app is built fresh on every start (about a tenth of a second), outside the repo.
  const webRoot = mkdtempSync(join(tmpdir(), 'docdrop-web-'));
  const removeWebRoot = () => rmSync(webRoot, { recursive: true, force: true });
  process.once('exit', removeWebRoot);
  await buildWeb(webRoot);
  let stopping = false;
  let system: LocalSystem | undefined;
  const stop = async (reason: string, exitCode: number) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${reason}: stopping docdrop...`);
    await system?.stop();
    console.log('stopped.');
    process.exit(exitCode);
  };
  // Handled from the first moment: a signal during the start still stops what has started.
  process.on('SIGINT', () => void stop('SIGINT', 0));
  process.on('SIGTERM', () => void stop('SIGTERM', 0));
  system = await startLocalSystem({
    ports: {
      gateway: portFromEnv('PORT', 3000),
      s3: portFromEnv('S3_PORT', 4569),
      dynamodb: portFromEnv('DYNAMODB_PORT', 8000),
      cognito: portFromEnv('COGNITO_PORT', 9229),
    },
    dataDir,
    ...(values.host ? { host: values.host } : {}),
    webOrigins: webOrigins(values['web-origin'] ?? []),
    persistent: true,
    fresh: values.fresh ?? false,
    seedDemoOwner: true,
    requireMfa,
    webRoot,
    environment,
    // The operator setting docdrop:malwareScan, locally: `off` leaves the type check alone to decide.
    malwareScan: process.env.MALWARE_SCAN === 'off' ? 'off' : 'guardduty',
    scanner: standInScannerSettings(),
    // Sign-up codes are not e-mailed locally: the line stands out from the JSON logs.
    onMessage: (message) => console.log(`\n${localMessageLine(message)}\n`),
    onFatal: (error) => {
      console.error(`docdrop cannot go on: ${error.message}`);
      void stop('fatal', 1);
    },
  });
  if (stopping) return;
  console.log(`
docdrop is running.
  web app       ${system.apiUrl}   (owners; clients open ${system.apiUrl}/u/#<link token>)
  API           ${system.apiUrl}/api   (client settings: ${system.apiUrl}/config.json)
  S3            ${system.s3Endpoint}   bucket ${system.bucket}
  DynamoDB      ${system.dynamodbEndpoint}   tables ${Object.values(system.tableNames).join(', ')}
  Cognito       ${system.cognitoEndpoint}   pool ${system.userPoolId}, client ${system.userPoolClientId}
  demo owner    ${DEMO_OWNER.email} / ${DEMO_OWNER.password}
  data          ${dataDir} (npm start -- --fresh wipes it; failed validations in failed-invocations/)
  e-mail        ${system.mailDir}   (not sent: one .eml file per message)
${requireMfa ? '  sign-in       every owner must use an authenticator app (REQUIRE_MFA=true)\n' : ''}${exposure(values.host, values['web-origin'] ?? [])}Sign-up and password-reset codes are printed here (lines starting >>>); other e-mail is written to the e-mail folder.
Ctrl-C (or SIGTERM) stops everything.
`);
}

main().catch((error) => {
  console.error(
    error instanceof PortInUseError || error instanceof DataDirInUseError
      ? error.message
      : `docdrop could not start: ${(error as Error).stack ?? error}`,
  );
  process.exit(1);
});
