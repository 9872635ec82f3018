/**
 * Test data shared by the packages' tests (no I/O): a column builder and the type matrix, a
 * table with a column of every type family and change events on it.
 */
export { testColumn } from './test-column';
export * from './type-matrix';
