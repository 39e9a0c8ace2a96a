// Package alicert is a typed client for the Alibaba Cloud certificate APIs:
//
//   - Certificate Management Service (CAS, API version 2020-04-07): DV
//     certificate orders (CreateCertificateRequest, or
//     CreateCertificateWithCsrRequest with a key of your own; Obtain does the
//     whole order, validation and wait), server-side CSRs, the rest of a
//     certificate's life (the paged inventory AllUserCertificateOrders,
//     details, uploads, renewals, revocations, deletes, quota), and
//     deployment to the cloud resources that serve a certificate (Deploy);
//   - the Private CA of the same service (API version 2020-06-30, Client.PCA):
//     root and subordinate CAs, and certificates a sub-CA signs from your
//     CSR in one synchronous call (SignCSR does the common case and checks
//     the result), their listing and revocation;
//   - KMS (API version 2016-01-20): asymmetric keys that sign without ever
//     leaving KMS, usable from Go as a crypto.Signer (KMSSigner) for CSRs and
//     TLS, and the previous-version KMS certificate operations;
//   - Alibaba Cloud DNS (Alidns, API version 2015-01-09): the records domain
//     validation needs (AlidnsProvider).
//
// Every call takes a context and an *XxxInput, validates it before anything
// is sent (every bad field at once, in a *ValidationError), signs it with
// credentials fetched for each attempt (RPC signature version 1.0,
// HMAC-SHA1, by default; signature V3 with WithSignatureAlgorithm), sends
// its parameters in a POST form body (never in the URL) by default, or in
// the query string under signature V3 as the official SDK sends them, and
// decodes the response into an *XxxOutput.
//
// Retries follow one rule (call_retry.go): every operation is retried when the
// request was never written (a failed dial, TLS handshake or proxy CONNECT)
// or the service throttled it; reads (Describe*, Get*, List*) also after a
// 5xx, a reset, a truncated body or a replayed nonce. A create whose request
// may have reached the service is never sent again, by the client or by the
// transport: its error matches ErrOutcomeUnknown and says how to check.
// Every attempt is signed afresh, with a new nonce and time.
//
// Errors are typed: *APIError for responses from the service, *ValidationError
// for bad input. Use errors.As and errors.Is to inspect them. No error, log
// record, fmt verb or JSON encoding of a value of this package shows an
// AccessKey secret, a security token, a signature or a private key.
//
// The alicerttest package provides an in-process fake of the services for
// tests and examples.
package alicert
