// Command alicert gets DV certificates from Alibaba Cloud Certificate
// Management Service, for people and cron jobs.
//
// Usage:
//
//	alicert obtain -domain example.com -dns alidns -out ./certs
//	alicert status -order 98987582437920968
//	alicert csr -cn example.com -country CN -province Zhejiang -locality Hangzhou
//
// obtain orders a certificate, publishes the DNS validation record in
// Alibaba Cloud DNS, waits for issuance, removes the record, and writes
// cert.pem (the certificate), chain.pem (the issuer chain), fullchain.pem
// (both) and key.pem (mode 0600) into the output directory, each atomically
// (a temporary file renamed into place). It does nothing while the existing
// cert.pem is valid for longer than -renew-within (30 days by default), also
// when the state file names an order to resume, so that it can run daily
// from cron. It never replaces a certificate that expires later than the
// new one: the new certificate then goes to cert.new.pem, chain.new.pem,
// fullchain.new.pem and key.new.pem (mode 0600), the state file keeps the
// order, and obtain exits 1.
//
// A state file, alicert-state.json in the output directory, records the
// order id as soon as the order exists, so that a rerun after a crash or a
// timeout resumes that order instead of buying another. It also records
// that an order was being created: when the result of that request is
// unknown (a 5xx, a reset or timeout after the request was sent), the order
// may exist, and a rerun refuses to order blindly. Find the order in the
// Certificate Management Service console (orders for the domain, created
// at the time the state file gives) and rerun with -order ID; or rerun with
// -new-order to order again anyway. An order that failed verification, or
// that the service does not know, stays in the state file too, so that a
// daily rerun does not buy a new order every day: fix the cause and rerun
// with -new-order.
//
// Credentials come from the Alibaba Cloud default chain: the environment
// variables ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET,
// the CLI profile, the ECS RAM role, and so on. -fake (obtain and csr) runs
// the command against an in-process fake of the services (package
// alicerttest) instead, with a throwaway test CA; status has no -fake, as a
// fresh fake knows no order. Fake and real runs never mix: the state file of
// a -fake run is marked "fake": true, a real run refuses it and -fake
// refuses the state of a real run; a real run replaces a certificate the
// test CA issued, and -fake never replaces any other certificate.
//
// The existing cert.pem counts only when it is for the domain: one for
// other names, or one that cannot be read, stops obtain before it orders.
//
// Progress goes to stderr; the final result to stdout.
//
// Exit codes:
//
//	0  success (or nothing to do: the certificate is still valid)
//	1  failure; a rerun resumes the order when the state file names one.
//	   Also: issued, but kept aside in the *.new.pem files (see above)
//	2  usage error
//	3  outcome unknown: an order may have been created; check before retrying
//	4  certificate written, but the validation record could not be removed
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
