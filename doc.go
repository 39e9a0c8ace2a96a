// Package alicert is a typed client for the Alibaba Cloud certificate APIs:
// Certificate Management Service (CAS, API version 2020-04-07) for DV
// certificate orders and server-side CSRs, KMS (API version 2016-01-20) for
// certificates whose private key stays in KMS, and the Alibaba Cloud DNS
// (Alidns) records that domain validation needs.
//
// Every call takes a context and an *XxxInput, validates it before anything
// is sent, signs it (RPC signature version 1.0, HMAC-SHA1) with credentials
// fetched for each attempt, sends its parameters in a POST form body (never
// in the URL), and decodes the response into an *XxxOutput.
//
// Retries: every operation is retried when the service provably did not
// process the call (throttling, or a connection that was never
// established); reads (Describe*, Get*) also on 5xx and on network errors
// after the request was written. Creates and uploads whose outcome is
// unknown are never retried (see ErrOutcomeUnknown). Every attempt is signed
// afresh, with a new nonce and timestamp.
//
// Errors are typed: *APIError for responses from the service, *ValidationError
// for bad input. Use errors.As and errors.Is to inspect them.
//
// The alicerttest package provides an in-process fake of the service for
// tests and examples.
package alicert
