// The HTTP API's contract, shared by the web app (handlers, OpenAPI document), the engine and
// the repositories (the types of their answers) and the CLI. Browser-safe: zod only.
export * from './schemas';
export { API_ROUTES, generateOpenApiDocument, type ApiRoute } from './openapi';
