/**
 * The API's answers as the CLI reads them: the contract's types (`@tidewater/config/api`), the
 * same the engine answers with and the OpenAPI document (GET /api/openapi.json) is generated
 * from. `--json` prints the answers whole.
 */
export type {
  ApiTokenView as ApiToken,
  DestinationConnectivity,
  FilterCheck,
  PrecheckItemStatus as PrecheckStatus,
  PrecheckItemView as PrecheckItem,
  PrecheckReport,
  SourceConnectivity,
  SourceObjectTree,
  SystemHealth,
  TaskDetails,
  TaskSummary,
} from '@tidewater/config/api';
