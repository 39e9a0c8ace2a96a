package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/cmd/alicert/internal/store"
)

// obtainFlags are obtain's flags.
type obtainFlags struct {
	common
	domain      string
	dns         string
	zone        string
	out         string
	product     string
	email       string
	username    string
	phone       string
	order       int64
	newOrder    bool
	poll        time.Duration
	renewWithin daysValue
	timeout     time.Duration
	lockWait    time.Duration
	quiet       bool
	json        bool
	keyType     string
	keySource   string
	kmsKey      string
	deploy      bool
	rollback    bool
	deployHook  string
	hookTimeout time.Duration
	dryRun      bool
	// validationHook publishes the validation instead of Alibaba Cloud
	// DNS, of validationType ("dns" or "file").
	validationHook string
	validationType string
}

// obtainFlagOf maps the fields of ObtainInput and
// CreateCertificateRequestInput to the flags that set them, so that a
// refused value is reported by its flag.
func obtainFlagOf() map[string]string {
	return map[string]string{
		"Domain": "domain", "ProductCode": "product", "Username": "username", "Phone": "phone", "Email": "email",
		"OrderID": "order", "PollInterval": "poll", "DNS": "dns", "ValidateType": "dns",
		"Csr": "domain", "Key": "key-type", "MaxWait": "timeout",
	}
}

func (c *cli) obtain(ctx context.Context, args []string) int {
	f := obtainFlags{renewWithin: daysValue(30 * day)}
	fs := c.newFlagSet("obtain", "obtain -domain example.com -username NAME -phone PHONE -email ADDRESS [-out dir] [flags]", obtainHelp)
	f.register(fs, "run against an in-process fake of the services, with a throwaway test CA. Its state file is marked fake: "+
		"a real run refuses it (and -fake refuses a real one); a real run replaces a certificate of the test CA, "+
		"and -fake never replaces a real certificate. Contact details default to placeholders")
	fs.StringVar(&f.domain, "domain", "", "the domain to certify, such as example.com or *.example.com (required)")
	fs.StringVar(&f.dns, "dns", "alidns", `where to publish the DNS validation record: "alidns" (Alibaba Cloud DNS); `+
		"for DNS hosted elsewhere, use -validation-hook instead")
	fs.StringVar(&f.zone, "dns-zone", "", "the Alibaba Cloud DNS domain holding the record (default: found from the name)")
	fs.StringVar(&f.out, "out", ".", "directory for cert.pem, chain.pem, fullchain.pem, key.pem and the state file")
	fs.StringVar(&f.keyType, "key-type", "ec256", "the key alicert makes for the certificate: "+strings.Join(store.KeyTypes, ", "))
	fs.StringVar(&f.keySource, "key-source", keySourceLocal, `who makes the key: "local" (alicert, here; the service never sees it) or "service"`)
	fs.StringVar(&f.kmsKey, "kms-key", "", "sign the certificate request with this KMS key (id or alias), which never leaves KMS: "+
		`no key.pem is written. With -fake, "fake" or an id the fake does not hold creates an EC P-256 key in the fake`)
	fs.BoolVar(&f.deploy, "deploy", false, "after a renewal, put the new certificate on every cloud resource (CDN, load balancers...) "+
		"that served the previous one, uploading it to Certificate Management Service first when needed")
	fs.BoolVar(&f.rollback, "rollback", false, "with -deploy: roll the resources that failed back to their previous certificate")
	fs.StringVar(&f.product, "product", "", "certificate product code, such as digicert-free-1-free (default: the service's)")
	fs.StringVar(&f.username, "username", c.getenv("ALICERT_USERNAME"), "applicant name (required; default $ALICERT_USERNAME)")
	fs.StringVar(&f.phone, "phone", c.getenv("ALICERT_PHONE"), "applicant phone number (required; default $ALICERT_PHONE)")
	fs.StringVar(&f.email, "email", c.getenv("ALICERT_EMAIL"), "applicant contact email (required; default $ALICERT_EMAIL)")
	fs.Int64Var(&f.order, "order", 0, "resume this existing order instead of creating one")
	fs.BoolVar(&f.newOrder, "new-order", false, "create a new order even though the state file says an earlier one may exist")
	fs.DurationVar(&f.poll, "poll", 0, "fixed time between state reads while waiting; 0 adapts: about 2s, 4s, 8s, 16s, then 30s (10ms with -fake unless set)")
	fs.Var(&f.renewWithin, "renew-within", `do nothing while cert.pem is valid for longer than this, in days ("30d") or as a duration ("720h"); 0 always orders`)
	fs.DurationVar(&f.timeout, "timeout", time.Hour, "give up waiting for validation and issuance after this long (a rerun resumes the order); "+
		"it bounds the look-ups before the order, and with -deploy the deployment's look-ups and job, each on its own; "+
		"it does not cut short the order request, the upload, nor the DNS record's removal")
	fs.DurationVar(&f.lockWait, "lock-wait", store.DefaultLockWait, "how long to wait for another alicert run on -out to finish before exiting 5")
	fs.BoolVar(&f.quiet, "q", false, "quiet: no progress; nothing at all when there is nothing to do (for cron)")
	fs.StringVar(&f.deployHook, "deploy-hook", "", "run this shell command (sh -c) once a new certificate is installed, "+
		"such as 'systemctl reload nginx'; it gets ALICERT_DOMAIN, ALICERT_CERT_PATH, ALICERT_KEY_PATH, ALICERT_FULLCHAIN_PATH, "+
		"ALICERT_CERT_ID and ALICERT_ORDER_ID, and no Alibaba Cloud credential variable; a run stopped before it, or a failed hook, "+
		"runs it on the next run")
	fs.StringVar(&f.validationHook, "validation-hook", "", "instead of Alibaba Cloud DNS, run this shell command to publish the validation and to remove it")
	fs.StringVar(&f.validationType, "validation-type", validationDNS, `with -validation-hook: "dns" (a DNS record) or "file" (a file on the web server)`)
	fs.DurationVar(&f.hookTimeout, "hook-timeout", defaultHookTimeout, "stop -deploy-hook, or -validation-hook, after this long (it then counts as failed)")
	fs.BoolVar(&f.dryRun, "dry-run", false, "check the flags, the credentials, the quota, the DNS zone and the deploy targets "+
		"with reads only, and print what a real run would do: nothing is ordered and nothing is written")
	fs.StringVar(&f.profile, "profile", "", "take the credentials from this Alibaba Cloud CLI profile (~/.aliyun/config.json)")
	fs.BoolVar(&f.json, "json", false, "print the outcome as one JSON object (also on failure, with its exit code); progress still goes to stderr")
	if code, stop := c.parse(fs, args); stop {
		return code
	}
	switch {
	case strings.TrimSpace(f.domain) == "":
		return c.usageError(fs, "-domain is required")
	case f.order < 0:
		return c.usageError(fs, "-order must be a positive order id")
	case f.order > 0 && f.newOrder:
		return c.usageError(fs, "-order and -new-order exclude each other")
	case f.poll < 0 || f.timeout <= 0 || f.lockWait < 0:
		return c.usageError(fs, "-timeout must be positive, -poll and -lock-wait not negative")
	case f.hookTimeout <= 0:
		return c.usageError(fs, "-hook-timeout must be positive")
	case flagSet(fs, "deploy-hook") && strings.TrimSpace(f.deployHook) == "":
		return c.usageError(fs, "-deploy-hook is empty")
	}
	f.validationType = strings.ToLower(f.validationType)
	if msg := f.validationProblem(fs); msg != "" {
		return c.usageError(fs, "%s", msg)
	}
	if msg := f.keyProblem(fs); msg != "" {
		return c.usageError(fs, "%s", msg)
	}
	if missing := f.missingContacts(); len(missing) > 0 {
		if !f.fake {
			// Checked before any credentials are looked up: the service
			// refuses an order without them.
			return c.usageError(fs, "a certificate order needs the applicant's contact details: set %s", strings.Join(missing, ", "))
		}
		f.fillPlaceholders()
	}
	if f.fake && !flagSet(fs, "poll") {
		f.poll = fakePollInterval
	}
	// The whole input is checked by the library's rules before anything
	// is made, locked or sent: a domain the order would refuse costs
	// nothing and leaves nothing on disk.
	var invalid *alicert.ValidationError
	if err := (&obtainRun{f: &f}).obtainInput(nil).Validate(); errors.As(err, &invalid) {
		return c.validationUsage(fs, invalid, obtainFlagOf())
	}
	if msg := zoneProblem(f.zone, f.domain); msg != "" {
		return c.usageError(fs, "%s", msg)
	}
	if f.dryRun {
		return c.dryRunObtain(ctx, &f)
	}
	return c.runObtain(ctx, fs, &f)
}

// zoneProblem says what is wrong with -dns-zone, or "": it is checked by
// the library's domain rules (those of ObtainInput.Domain), is no
// wildcard, and holds domain's validation record. Without the check a
// zone the provider refuses would fail only once the order exists.
func zoneProblem(zone, domain string) string {
	if zone == "" {
		return ""
	}
	var invalid *alicert.ValidationError
	err := (&alicert.ObtainInput{Domain: zone, ValidateType: alicert.ValidateDNS, DNS: alicert.NewAlidnsProvider(nil)}).Validate()
	if errors.As(err, &invalid) {
		for _, fe := range invalid.Fields {
			if fe.Field == "Domain" {
				return "-dns-zone: " + fe.Problem
			}
		}
	}
	if strings.HasPrefix(zone, "*.") {
		return fmt.Sprintf("-dns-zone %q is a wildcard; give the domain hosted in Alibaba Cloud DNS, like example.com", zone)
	}
	name := strings.ToLower(strings.TrimPrefix(domain, "*."))
	if z := strings.ToLower(zone); name != z && !strings.HasSuffix(name, "."+z) {
		return fmt.Sprintf("-dns-zone %s does not hold %s: the validation record goes under -domain, in its zone", zone, domain)
	}
	return ""
}

// keyProblem says what is wrong with the key and deployment flags, or "".
func (f *obtainFlags) keyProblem(fs *flag.FlagSet) string {
	switch {
	case !store.ValidKeyType(f.keyType):
		return fmt.Sprintf("-key-type %q: want one of %s", f.keyType, strings.Join(store.KeyTypes, ", "))
	case f.keySource != keySourceLocal && f.keySource != keySourceService:
		return fmt.Sprintf("-key-source %q: want %q or %q", f.keySource, keySourceLocal, keySourceService)
	case f.kmsKey != "" && flagSet(fs, "key-source"):
		return "-kms-key and -key-source exclude each other: the key is the KMS key"
	case flagSet(fs, "key-type") && (f.kmsKey != "" || f.keySource == keySourceService):
		return "-key-type sets the key alicert makes; it excludes -kms-key and -key-source service"
	case f.kmsKey != "" && strings.TrimSpace(f.kmsKey) != f.kmsKey:
		return fmt.Sprintf("-kms-key %q: a key id or alias has no spaces around it", f.kmsKey)
	case f.deploy && f.kmsKey != "":
		return "-deploy and -kms-key exclude each other: cloud resources need the certificate's key, which stays in KMS"
	case f.rollback && !f.deploy:
		return "-rollback needs -deploy"
	}
	return ""
}

// missingContacts lists the contact flags without a value.
func (f *obtainFlags) missingContacts() []string {
	var missing []string
	for _, fl := range []struct{ name, env, v string }{
		{"username", "ALICERT_USERNAME", f.username}, {"phone", "ALICERT_PHONE", f.phone}, {"email", "ALICERT_EMAIL", f.email},
	} {
		if strings.TrimSpace(fl.v) == "" {
			missing = append(missing, "-"+fl.name+" (or $"+fl.env+")")
		}
	}
	return missing
}

// fillPlaceholders gives a -fake run the contact details it lacks.
func (f *obtainFlags) fillPlaceholders() {
	for _, fl := range []struct {
		v           *string
		placeholder string
	}{{&f.username, fakeUsername}, {&f.phone, fakePhone}, {&f.email, fakeEmail}} {
		if strings.TrimSpace(*fl.v) == "" {
			*fl.v = fl.placeholder
		}
	}
}

// obtainHelp is obtain's description in -h.
const obtainHelp = `Orders a DV certificate for -domain, publishes the DNS validation record in
Alibaba Cloud DNS, waits for issuance, removes the record, and writes
cert.pem, chain.pem, fullchain.pem and key.pem (mode 0600) into -out. The
four files are links into .alicert/live, a link to the version in use
(.alicert/1, .alicert/2, ...), which one rename switches: cert.pem,
fullchain.pem and key.pem always load as a matching pair, the old one or
the new one. Plain files from earlier runs are moved into that layout.

It does nothing while cert.pem and key.pem load as a pair for -domain and
cert.pem is valid for longer than -renew-within; a missing or unmatched
key.pem is reported and a new certificate obtained. It never replaces a
certificate that expires later: the new one then goes to the *.new.pem
files. Before ordering it checks that -out and its files can be written
and that Alibaba Cloud DNS hosts the domain's zone.

-deploy-hook CMD runs CMD (through sh -c) once a new certificate is
installed, with ALICERT_DOMAIN, ALICERT_CERT_PATH, ALICERT_KEY_PATH,
ALICERT_FULLCHAIN_PATH, ALICERT_CERT_ID and ALICERT_ORDER_ID set and no
Alibaba Cloud credential variable; a run stopped before it, or a failed
hook (exit 1, the certificate stays installed), runs it on the next run.
-dry-run checks everything short of ordering, with reads only, and prints
what a real run would do.

-validation-hook CMD, for a domain whose DNS is not in Alibaba Cloud DNS,
replaces -dns alidns (exactly one of them is in use): CMD (sh -c) is run
with ALICERT_VALIDATION_ACTION=present before the wait for the CA, and with
cleanup afterwards, also after a failure. It gets ALICERT_VALIDATION_TYPE
(DNS, or FILE with -validation-type file), ALICERT_DOMAIN, for DNS
ALICERT_RECORD_NAME, ALICERT_RECORD_TYPE and ALICERT_RECORD_VALUE, for FILE
ALICERT_FILE_URI (the URL path the CA fetches over http) and
ALICERT_FILE_CONTENT, and no Alibaba Cloud credential variable; it runs
under -hook-timeout, and both actions must be idempotent. A failing present
stops the run before the wait (exit 1; a rerun resumes the order); a
failing cleanup after issuance is exit 4. The Alibaba Cloud DNS zone checks
are skipped. With -fake, the fake's CA takes the validation as published.

The applicant's contact details are required for a new order: -username,
-phone and -email, or ALICERT_USERNAME, ALICERT_PHONE and ALICERT_EMAIL.

The key: by default alicert makes it here (-key-type, ec256 by default) and
orders with a certificate request signed by it, so the service never sees
the private key. The key is written to alicert-order-<time>.key.pem in -out
(mode 0600, synced) before the order is sent, the state file names it, and
a resumed order finishes with it; it becomes key.pem with the certificate.
-key-source service lets the service make the key instead, as alicert did
before. -kms-key KEY_ID signs the request with a KMS key, which never leaves
KMS: no key.pem is written, and cert.pem counts as working when it holds
that key's public key. A Go server then serves it with
  signer, _ := alicert.NewKMSSigner(ctx, client, KEY_ID, "")
  cert, _ := signer.TLSCertificate(chainPEM) // fullchain.pem's content
With -fake, -kms-key "fake", or any id the fake does not hold (a fresh fake
holds none), creates an EC P-256 key in the fake and uses it.

-deploy: after a renewal, the new certificate goes wherever the previous one
was. When Certificate Management Service does not hold it with its key yet
(a key made here or in KMS), it is uploaded as alicert-<domain>-<serial>,
looked up by that name first so that it is never uploaded twice; then one
deployment job puts it on every cloud resource serving the previous
certificate (whose id the state file keeps from the last -deploy), or, the
first time, on every resource bound to -domain. Each step is recorded in
the state file as it is done (the certificate id, the resources and the job
name, the job id), and a rerun with -deploy carries on from there: it
neither uploads nor deploys twice; the job's name lets a rerun find it.
Resources that fail are named, exit 1; -rollback puts their previous
certificate back first, and a rerun tries them again. -fake -deploy runs
against a fake account with a CDN domain and a load balancer listener for
-domain serving an old certificate. -deploy and -kms-key exclude each other:
cloud resources need the key.

One run at a time holds -out (a lock on .alicert.lock there): another run
waits up to -lock-wait, then exits 5 without doing anything.

alicert-state.json in -out records the order as soon as it exists, and a
rerun resumes it instead of ordering again. When the result of the order
request is unknown (exit 3), an order may exist: find it in the console and
rerun with -order ID, or rerun with -new-order to order again anyway (it may
cost a second certificate). An order that failed verification, or that the
service does not know, also needs -new-order. A damaged state file is
refused: remove it (noting the order it names) and rerun.

-timeout bounds the wait for validation and issuance, and, each on its
own, the look-ups before the order (the KMS key, the DNS zone) and with
-deploy the deployment (its look-ups and its job). The order request and the upload
run to their end, so that a timeout never leaves their outcome unknown; a
job cut short is found by its name on the rerun. -dns-zone is checked by
the library's domain rules before anything is done.

Credentials come from the Alibaba Cloud default chain: ALIBABA_CLOUD_ACCESS_KEY_ID
and ALIBABA_CLOUD_ACCESS_KEY_SECRET, the CLI profile, the ECS RAM role, ...

Exit codes: 0 done, or nothing to do; 1 failure (a rerun resumes the order
in the state file, or the deployment), or the certificate was kept aside in
*.new.pem, or some resources did not take it (named on stderr); 2 usage;
3 outcome unknown (an order, an upload or a deployment job may exist; a
rerun with -deploy settles the last two by their names); 4 certificate
written but the DNS record not removed; 5 another run holds -out (nothing
was done).
`

// obtainInput is Obtain's input for the flags, without the order id, the
// key and the progress of a run: what the flags are checked against before
// anything is done (with a nil cl, which checking does not call). The
// validation goes to -validation-hook, as a DNS or a FILE provider
// (whichever the order asks for), or to Alibaba Cloud DNS through cl.
func (r *obtainRun) obtainInput(cl *alicert.Client) *alicert.ObtainInput {
	f := r.f
	in := &alicert.ObtainInput{
		Domain: f.domain, ProductCode: f.product, Email: f.email, Username: f.username, Phone: f.phone,
		ValidateType: f.validateType(), OrderID: f.order, PollInterval: f.poll, MaxWait: f.timeout,
	}
	if h := r.validationHook(); h != nil {
		// The cleanup is bounded by -hook-timeout, as the present is.
		in.DNS, in.File, in.CleanupTimeout = hookDNS{h}, hookFile{h}, f.hookTimeout
		return in
	}
	dns := alicert.NewAlidnsProvider(cl)
	dns.Zone = f.zone
	in.DNS = dns
	return in
}
