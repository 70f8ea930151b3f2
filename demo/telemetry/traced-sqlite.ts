import { type Attributes, type Span, SpanKind, trace } from '@opentelemetry/api';
import {
  ATTR_DB_COLLECTION_NAME,
  ATTR_DB_NAMESPACE,
  ATTR_DB_OPERATION_NAME,
  ATTR_DB_QUERY_SUMMARY,
  ATTR_DB_QUERY_TEXT,
  ATTR_DB_RESPONSE_STATUS_CODE,
  ATTR_DB_SYSTEM_NAME,
  ATTR_ERROR_TYPE,
} from '@opentelemetry/semantic-conventions';
import type Database from 'better-sqlite3';
import { markFailed } from './mark-failed';

/**
 * Client spans for better-sqlite3, which no auto-instrumentation covers, following the current
 * database semantic conventions: span name = `db.query.summary` (`SELECT products`),
 * `db.system.name=sqlite`, `db.namespace`, `db.operation.name`, `db.collection.name` (one
 * table), `db.query.text` (the parameterised statement: values never appear in it),
 * `db.response.returned_rows`, and on failure `error.type` / `db.response.status_code`
 * (SQLite's code, such as `SQLITE_CONSTRAINT_CHECK`).
 */

// Not yet stable in @opentelemetry/semantic-conventions: copied, as its README advises.
const DB_SYSTEM_NAME_VALUE_SQLITE = 'sqlite';
const ATTR_DB_RESPONSE_RETURNED_ROWS = 'db.response.returned_rows';

const tracer = trace.getTracer('loupe-demo-sqlite', '1.0.0');

const OPERATION = /^\s*(\w+)/;
const TABLES = /\b(?:FROM|JOIN|INTO|UPDATE)\s+([A-Za-z_][\w]*)/gi;

/** `SELECT p.id FROM products p JOIN stock_movements m …` → operation SELECT, tables [products, stock_movements]. */
function describe(sql: string): { operation: string; tables: string[] } {
  const operation = (OPERATION.exec(sql)?.[1] ?? 'QUERY').toUpperCase();
  const tables = [...new Set([...sql.matchAll(TABLES)].map((m) => m[1]))];
  return { operation, tables };
}

type Param = string | number | bigint | null;

export class TracedDatabase {
  private readonly statements = new Map<string, Database.Statement>();

  constructor(
    readonly db: Database.Database,
    /** `db.namespace`: the database's name (the file's, without `.db`). */
    private readonly namespace: string,
  ) {}

  /** Rows of a query. */
  all<T>(sql: string, ...params: Param[]): T[] {
    return this.traced(
      sql,
      (statement) => statement.all(...params) as T[],
      (rows) => rows.length,
    );
  }

  /** The first row of a query, if any. */
  get<T>(sql: string, ...params: Param[]): T | undefined {
    return this.traced(
      sql,
      (statement) => statement.get(...params) as T | undefined,
      (row) => (row === undefined ? 0 : 1),
    );
  }

  /** A statement that changes rows; its `changes` count. */
  run(sql: string, ...params: Param[]): Database.RunResult {
    return this.traced(sql, (statement) => statement.run(...params));
  }

  /**
   * Runs `work` in one transaction (better-sqlite3's, so BEGIN/COMMIT/ROLLBACK are its own) under
   * an internal span named `name`: its statements are the span's children.
   */
  transaction<T>(name: string, attributes: Attributes, work: () => T): T {
    return tracer.startActiveSpan(name, { kind: SpanKind.INTERNAL, attributes }, (span) => {
      try {
        return this.db.transaction(work)();
      } catch (err) {
        markFailed(span, err);
        throw err;
      } finally {
        span.end();
      }
    });
  }

  private prepare(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  private traced<T>(sql: string, execute: (s: Database.Statement) => T, rowsOf?: (result: T) => number): T {
    const { operation, tables } = describe(sql);
    const summary = [operation, ...tables].join(' ');
    const attributes: Attributes = {
      [ATTR_DB_SYSTEM_NAME]: DB_SYSTEM_NAME_VALUE_SQLITE,
      [ATTR_DB_NAMESPACE]: this.namespace,
      [ATTR_DB_OPERATION_NAME]: operation,
      [ATTR_DB_QUERY_SUMMARY]: summary,
      [ATTR_DB_QUERY_TEXT]: sql.replace(/\s+/g, ' ').trim(),
    };
    if (tables.length === 1) attributes[ATTR_DB_COLLECTION_NAME] = tables[0];
    return tracer.startActiveSpan(summary, { kind: SpanKind.CLIENT, attributes }, (span: Span) => {
      try {
        const result = execute(this.prepare(sql));
        if (rowsOf) span.setAttribute(ATTR_DB_RESPONSE_RETURNED_ROWS, rowsOf(result));
        return result;
      } catch (err) {
        const code = (err as { code?: string }).code;
        markFailed(span, err);
        span.setAttributes({
          [ATTR_ERROR_TYPE]: code ?? (err as Error).name,
          ...(code ? { [ATTR_DB_RESPONSE_STATUS_CODE]: code } : {}),
        });
        throw err;
      } finally {
        span.end();
      }
    });
  }
}
