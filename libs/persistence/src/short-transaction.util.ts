import type { DataSource } from 'typeorm';

/** A query on the transaction's connection: the rows it returned. */
export type TransactionQuery = (sql: string, parameters?: unknown[]) => Promise<Record<string, unknown>[]>;

/** The part of node-postgres's client a short transaction uses. */
interface PgClient {
  query(sql: string, parameters?: unknown[]): Promise<{ rows: Record<string, unknown>[] } | { rows: Record<string, unknown>[] }[]>;
}

/**
 * A transaction on the hot path, in as few round trips as Postgres allows: `BEGIN` travels with the
 * transaction's first statement in one message (`opening`: static SQL, no parameters, such as the
 * `SELECT … FOR UPDATE` that takes the transaction's first lock), then `work` runs its statements, then
 * `COMMIT`. TypeORM's `transaction()` spends a round trip on `START TRANSACTION` alone.
 *
 * On any error the transaction is rolled back and the error rethrown; a connection that cannot even roll
 * back is released as broken, so the pool discards it instead of lending a connection stuck in a failed
 * transaction.
 */
export async function inShortTransaction<T>(
  dataSource: DataSource,
  opening: string,
  work: (openingRows: Record<string, unknown>[], query: TransactionQuery) => Promise<T>,
): Promise<T> {
  const driver = dataSource.driver as unknown as { obtainMasterConnection(): Promise<[PgClient, (error?: unknown) => void]> };
  const [client, release] = await driver.obtainMasterConnection();
  const query: TransactionQuery = async (sql, parameters) => {
    const result = await client.query(sql, parameters);
    return Array.isArray(result) ? (result.at(-1)?.rows ?? []) : result.rows;
  };
  try {
    const begun = await client.query(`BEGIN; ${opening}`);
    const openingRows = Array.isArray(begun) ? (begun.at(-1)?.rows ?? []) : begun.rows;
    const result = await work(openingRows, query);
    await client.query('COMMIT');
    release();
    return result;
  } catch (error) {
    try {
      await client.query('ROLLBACK');
      release();
    } catch (broken) {
      release(broken);
    }
    throw error;
  }
}
