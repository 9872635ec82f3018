/**
 * Builds the Java conformance tools before the suites run: once per source change, minutes the
 * first time (Maven downloads Canal, Flink's JSON format and Avro into ~/.m2), about a second
 * after that. Fails, naming what to install, when Java 17 or Maven is missing.
 */
import { ensureConformanceTools } from '../src/tools';

export default async function setup(): Promise<void> {
  const report = await ensureConformanceTools();
  if (report.isBuilt) {
    console.info(`Conformance tools built in ${Math.round(report.durationMs / 1000)} s.`);
  }
}
