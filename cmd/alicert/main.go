// Command alicert gets DV certificates from Alibaba Cloud Certificate
// Management Service, for people and cron jobs.
//
// Usage:
//
//	alicert obtain -domain example.com -dns alidns -out ./certs \
//	    -username 'Your Name' -phone 13800000000 -email you@example.com
//	alicert renew -config /etc/alicert/alicert.json -q
//	alicert status -order 98987582437920968
//	alicert csr -cn example.com -country CN -province Zhejiang -locality Hangzhou
//	alicert deploy -cert NEW_CERT_ID -replace OLD_CERT_ID (see alicert deploy -h)
//	alicert list -expiring 30d [-status valid|issued|willexpired|expired|all] [-json]
//	alicert get -cert ID -out ./certs
//	alicert upload -name NAME -cert fullchain.pem -key key.pem
//	alicert revoke -order ID -yes
//	alicert delete -cert ID -yes
//	alicert quota [-product digicert-free-1-free]
//	alicert pca list [-certs [-custom-id ID]] [-json]
//	alicert pca issue -ca SUB_CA_ID -domain api.internal [-usage server,client] -out ./certs
//	alicert pca revoke -id IDENTIFIER -yes
//	alicert fake -listen 127.0.0.1:8940 [-tls -ca-file FILE] [-state DIR] [-seed FILE]
//
// fake serves a local stand-in for CAS, KMS and Alidns on loopback for
// programs in any language (see fake -h); every other verb reaches it, or
// any other endpoint, through -cas-endpoint, -kms-endpoint and
// -dns-endpoint or the ALICERT_CAS_ENDPOINT, ALICERT_KMS_ENDPOINT and
// ALICERT_DNS_ENDPOINT variables it prints.
//
// obtain orders a certificate, publishes the DNS validation record in
// Alibaba Cloud DNS (or has -validation-hook, a command of the user's,
// publish the record or file elsewhere), waits for issuance, removes the
// record, and writes
// cert.pem (the certificate), chain.pem (the issuer chain), fullchain.pem
// (both) and key.pem (mode 0600) into the output directory. The four files
// are links into .alicert/live, itself a link to the version in use
// (.alicert/1, .alicert/2, ...): a new version is written in full, then one
// rename of the live link switches all four files, so that cert.pem and
// key.pem always load as a matching pair. The previous version is kept.
//
// The key is made locally by default (-key-type ec256, ec384, rsa2048 or
// rsa3072), written with mode 0600 before the order is sent and named in
// the state file, and the order carries a CSR signed by it; -key-source
// service lets the service make it; -kms-key KEY_ID signs the CSR with a
// KMS key and writes no key.pem. -deploy then uploads the renewed
// certificate to Certificate Management Service when needed and deploys it
// wherever the previous one was served, each step recorded in the state
// file so that a rerun neither uploads nor deploys twice (see obtain -h).
//
// A new order needs the applicant's contact details: -username, -phone and
// -email, or the environment variables ALICERT_USERNAME, ALICERT_PHONE and
// ALICERT_EMAIL; without them a real run is a usage error before anything
// is sent.
//
// obtain does nothing while the existing cert.pem and key.pem load as a pair
// for the domain and cert.pem is valid for longer than -renew-within (30
// days by default; "30d" or a Go duration), also when the state file names
// an order to resume, so that it can run daily from cron; with -q it then
// prints nothing. It never replaces a working certificate that expires
// later than the new one: the new certificate then goes to cert.new.pem,
// chain.new.pem, fullchain.new.pem and key.new.pem (mode 0600), the state
// file keeps the order, and obtain exits 1.
//
// -deploy-hook CMD runs CMD through sh -c once a new certificate is
// installed, under -hook-timeout, with ALICERT_DOMAIN, ALICERT_CERT_PATH,
// ALICERT_KEY_PATH, ALICERT_FULLCHAIN_PATH, ALICERT_CERT_ID and
// ALICERT_ORDER_ID and without the Alibaba Cloud credential variables; the
// state file records it as owed before the switch, so that a run stopped
// before it, or a failed hook, runs it on the next run. A failed hook exits
// 1 and leaves the new certificate installed. -dry-run checks the flags,
// the state file, the credentials and quota (DescribePackageState), the
// DNS zone and the deploy targets with reads only, and prints what a real
// run would do, writing nothing. -profile NAME takes the credentials from
// a profile of the Alibaba Cloud CLI.
//
// renew runs obtain for every certificate of a JSON config file (see
// renew -h): each entry under its own lock, one failing entry not
// stopping the others, a line (or with -json a JSON object) per entry,
// nothing with -q when nothing changed, and the first failure's exit code.
//
// One run at a time holds the output directory, with a lock on
// .alicert.lock there; another waits up to -lock-wait and exits 5 without
// doing anything. Before ordering, obtain checks what it can: that the
// output directory and its files can be written, and that Alibaba Cloud DNS
// hosts the domain's zone. -timeout bounds the look-ups and the wait for
// validation and issuance, not the order request nor an upload. Every
// verb that calls the service has a -timeout (10 minutes by default for
// the certificate verbs), so that no look-up runs unbounded.
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
// with -new-order. A damaged state file (an unknown field, an id that is
// not positive) is refused: note the order it names and remove it.
// Temporary files an interrupted run left behind (they may hold a key) are
// removed.
//
// obtain and get refuse an -out that another user could change (writable by
// group or others without the sticky bit, itself or a directory above it,
// or owned by another user), and follow no symbolic link there that they
// did not make: a link in place of the lock, the state file, .alicert or a
// certificate file is refused, with one line naming it.
//
// Credentials come from the Alibaba Cloud default chain: the environment
// variables ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET,
// the CLI profile, the ECS RAM role, and so on. -fake (obtain and csr) runs
// the command against an in-process fake of the services (package
// alicerttest) instead, with a throwaway test CA; status -fake reads the
// issued order of a seeded fake account. Fake and real runs never mix: the state file of
// a -fake run is marked "fake": true, a real run refuses it and -fake
// refuses the state of a real run; a real run replaces a certificate the
// test CA issued, and -fake never replaces any other certificate.
//
// The existing cert.pem counts only when it is for the domain: one for
// other names, or one that cannot be read, stops obtain before it orders.
//
// The certificate verbs manage what the account holds. list prints the
// certificates, issued and uploaded, soonest expiry first (-expiring 30d
// keeps those due, expired ones included; with -q it prints nothing when
// none is). get writes a certificate's cert.pem, chain.pem, fullchain.pem
// and key.pem into -out exactly as obtain does, refusing a key that is not
// the certificate's; a certificate ordered with a key of one's own has no
// key in the service, and get then writes no key.pem and says so. upload
// checks the pair, then looks -name up before uploading (names are unique
// in the account), so that a rerun after an unknown outcome uploads nothing
// twice. revoke and delete do nothing without -yes (exit 2). quota shows
// the resource plans' quota. Each prints a table, or JSON with -json; -fake
// runs it against a fake account seeded with a few certificates (one
// expiring within days), where get, revoke and delete default to one of
// them when their id flag is left out.
//
// pca is the Private CA (CAS API 2020-06-30), a CA of the account's own:
// pca list shows its CAs with their status, validity and quota (-certs:
// the certificates they issued, with their custom identifiers); pca issue
// has a sub-CA sign a certificate for -domain (a key made here) or -csr
// (a request of one's own) and writes cert.pem, chain.pem, fullchain.pem,
// key.pem and ca.pem (the root) into -out as obtain writes its files,
// after checking the flags, -out and the sub-CA (a read) before anything
// costs quota; pca revoke revokes one (asks for -yes). After an unknown
// outcome of pca issue (exit 3), pca list -certs -custom-id ID, with the
// identifier it printed, shows whether the certificate exists. With
// -fake, each runs against a fake Private CA whose sub-CA issue defaults
// to.
//
// Progress goes to stderr, a line at least every minute while waiting for
// the CA or a deployment (none with -q); the final result to stdout, as
// JSON with -json (every command has it; its keys are the table's
// headers). Every command has -h, its most used flags on one screen, and
// "alicert help COMMAND", all of them with the details; "alicert version"
// prints the module version and VCS revision the binary was built from.
//
// Install the command from a clone with "go install ./cmd/alicert" (or
// "go build -o alicert ./cmd/alicert") and give cron the binary: "go run"
// exits 1 whatever the command's exit code, losing the codes below.
//
// Exit codes:
//
//	0  success (or nothing to do: the certificate is still valid, the
//	   certificate is already uploaded)
//	1  failure; a rerun resumes the order when the state file names one.
//	   Also: issued, but kept aside in the *.new.pem files (see above)
//	2  usage error; also revoke and delete without -yes (nothing was done)
//	3  outcome unknown: an order, upload, revocation or Private CA
//	   certificate may have happened; check before retrying (upload's
//	   and pca revoke's reruns check by themselves)
//	4  certificate written, but the validation record could not be removed
//	5  another alicert run holds the output directory; nothing was done
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], ownStdout(), os.Stderr)
	stop()
	os.Exit(code)
}

// ownStdout returns the process's standard output, for the command's own
// output alone, and points os.Stdout at the null device for the rest of
// the run. A dependency that prints to os.Stdout cannot then break the
// output a script reads (-json) or leak through it: credentials-go, up to
// v1.4.14 at least, prints the whole output of a CLI profile's
// process_command (secret included) when that output is not pure JSON, and
// a warning when it cannot write the credentials back to the profile. What
// dependencies print is dropped, not moved to stderr, since it may hold a
// secret; their errors still reach stderr through the command's own error
// line. Call it once, first thing in main: os.Stdout is process-wide.
func ownStdout() *os.File {
	own := os.Stdout
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		// A nil *os.File fails every write: nothing reaches the
		// command's output either way.
		null = nil
	}
	os.Stdout = null
	return own
}
