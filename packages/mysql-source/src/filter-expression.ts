/**
 * The checked filter condition as a tree (`RowFilter.condition`): what `parseRowFilter`
 * accepted, in the shape the SQL it rendered has, so the evaluator (filter-evaluator.ts) reads
 * exactly the condition the snapshot sends to the server.
 *
 * Constructs the snapshot may send but the tree does not model (CASE, CAST, INTERVAL, JSON
 * operators, hex literals, …) are kept as `unsupported` with the construct's name: they run on
 * the server, and the evaluator refuses them by that name.
 */

export type ComparisonOperator = '=' | '<=>' | '<>' | '!=' | '<' | '<=' | '>' | '>=';
export type LogicalOperator = 'AND' | '&&' | 'OR' | '||' | 'XOR';
export type ArithmeticOperator = '+' | '-' | '*' | '/' | 'DIV' | '%' | 'MOD';

export type FilterExpression =
  /** A column of the table, as the table spells it; `collate` when the filter adds COLLATE. */
  | { kind: 'column'; name: string; collate: string | null }
  /** A numeric literal as written (`12`, `-5`, `1.50`, `1e3`, `18446744073709551615`). */
  | { kind: 'number'; text: string }
  /** A string literal, its value decoded by MySQL's escape rules. */
  | { kind: 'string'; value: string; collate: string | null }
  | { kind: 'null' }
  | { kind: 'boolean'; value: boolean }
  /** `DATE '…'`, `TIME '…'`, `TIMESTAMP '…'`. */
  | { kind: 'temporal'; type: 'DATE' | 'TIME' | 'TIMESTAMP' | 'DATETIME'; value: string }
  | { kind: 'not'; operand: FilterExpression }
  | { kind: 'negate'; operand: FilterExpression }
  | { kind: 'plus'; operand: FilterExpression }
  | {
      kind: 'comparison';
      operator: ComparisonOperator;
      left: FilterExpression;
      right: FilterExpression;
    }
  | { kind: 'logical'; operator: LogicalOperator; left: FilterExpression; right: FilterExpression }
  | {
      kind: 'arithmetic';
      operator: ArithmeticOperator;
      left: FilterExpression;
      right: FilterExpression;
    }
  | {
      kind: 'like';
      isNegated: boolean;
      subject: FilterExpression;
      pattern: FilterExpression;
      escape: FilterExpression | null;
    }
  | { kind: 'in'; isNegated: boolean; subject: FilterExpression; values: FilterExpression[] }
  | {
      kind: 'between';
      isNegated: boolean;
      subject: FilterExpression;
      low: FilterExpression;
      high: FilterExpression;
    }
  | { kind: 'is'; isNegated: boolean; subject: FilterExpression; value: 'NULL' | 'TRUE' | 'FALSE' }
  /** A built-in function call, name upper-case (aliases kept as written: LCASE, SUBSTR). */
  | { kind: 'function'; name: string; args: FilterExpression[] }
  /** Checked and sent to the server, but not modelled: names the construct. */
  | { kind: 'unsupported'; construct: string; args: FilterExpression[] };
