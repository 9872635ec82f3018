// The package entry: the conformance tools (built with Maven, run on Java) and the comparison.
export {
  ensureConformanceTools,
  javaMajorVersion,
  runTool,
  spawnTool,
  type BuildReport,
  type ToolName,
  type ToolResult,
} from './tools';
export { startCanalDump, type CanalDump, type CanalDumpOptions } from './canal-dump';
export {
  classifyDifferences,
  compareFlatMessages,
  describeDifference,
  relations,
  type Classified,
  type Deviation,
  type DeviationMatch,
  type Difference,
  type FlatMessage,
} from './canal-compare';
