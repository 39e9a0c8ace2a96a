// Package testkit is the test harness of this module: a scripted HTTP server
// that stands in for the CAS, KMS and Alidns endpoints, a counting
// credentials provider, the RPC string-to-sign as the service derives it,
// and a strict RFC 2253 parser to check the distinguished names the client
// writes.
//
// It imports nothing of package alicert, so that the package's internal
// tests (package alicert) can use it as well as its external tests and the
// tests of alicerttest. It is for tests only: no program of this module
// imports it.
package testkit
