// Package openapi validates Flink REST traffic against Flink's own OpenAPI specs (../shared/flink-rest/ next to
// the repository). It converts the OpenAPI 3.0 component schemas to JSON Schema (rewriting $ref targets,
// nullable, oneOf and the OpenAPI-only keywords) and checks requests and responses with
// santhosh-tekuri/jsonschema. Tests put its RoundTripper under the Flink client talking to the stand-in, so a
// request the client sends or a response the stand-in returns that drifts from the spec fails the test.
package openapi
