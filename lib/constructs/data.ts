import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { type KeyAttribute, type TableDefinition, tables } from '#contracts/tables';

export interface DataProps {
  readonly retainData: boolean;
}

const attribute = (key: KeyAttribute) => ({
  name: key.name,
  type: key.type === 'S' ? AttributeType.STRING : AttributeType.NUMBER,
});

/**
 * The tables, made from the same definitions the local system creates: on-demand, encrypted,
 * point-in-time recovery, TTL where defined, deletion protection and retained unless the
 * operator asks for a throwaway stack.
 */
export class Data extends Construct {
  private readonly byId = new Map<string, Table>();

  constructor(scope: Construct, id: string, props: DataProps) {
    super(scope, id);
    for (const definition of tables as readonly TableDefinition[]) {
      const table = new Table(this, definition.id, {
        partitionKey: attribute(definition.partitionKey),
        ...(definition.sortKey ? { sortKey: attribute(definition.sortKey) } : {}),
        billingMode: BillingMode.PAY_PER_REQUEST,
        encryption: TableEncryption.AWS_MANAGED,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        ...(definition.timeToLiveAttribute ? { timeToLiveAttribute: definition.timeToLiveAttribute } : {}),
        deletionProtection: props.retainData,
        removalPolicy: props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      });
      for (const index of definition.globalIndexes) {
        table.addGlobalSecondaryIndex({
          indexName: index.indexName,
          partitionKey: attribute(index.partitionKey),
          ...(index.sortKey ? { sortKey: attribute(index.sortKey) } : {}),
        });
      }
      NagSuppressions.addResourceSuppressions(table, [
        {
          id: 'NIST.800.53.R5-DynamoDBInBackupPlan',
          reason:
            'Point-in-time recovery (35 days) is on; an AWS Backup plan is an account-level choice left to the operator.',
        },
      ]);
      this.byId.set(definition.id, table);
    }
  }

  table(definition: TableDefinition): Table {
    const table = this.byId.get(definition.id);
    if (!table) throw new Error(`no table ${definition.id}`);
    return table;
  }
}
