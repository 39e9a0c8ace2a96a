// Command quickstart applies for a DV certificate, shows the DNS record that
// proves control of the domain, waits for issuance and writes cert.pem and
// key.pem.
//
// By default it runs against the in-process fake from package alicerttest:
// no credentials, no network, no cost. With -real it calls Alibaba Cloud
// with credentials from the default chain (environment variables, profile,
// ECS RAM role, ...) and orders a real certificate from your resource plan.
//
//	go run ./examples/quickstart                      # fake service
//	go run ./examples/quickstart -real -domain www.example.com \
//	    -username 'Your Name' -phone 13800000000 -email you@example.com
//
// A real order needs the applicant's contact details: -username, -phone
// and -email, or the environment variables ALICERT_USERNAME, ALICERT_PHONE
// and ALICERT_EMAIL. The fake gets placeholders.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/alicerttest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run is main without the process: tests call it.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return runWith(ctx, args, os.Getenv, nil, stdout, stderr)
}

// Placeholders for the contact details of an order from the fake.
const (
	fakeUsername = "Fake Applicant"
	fakePhone    = "13800000000"
	fakeEmail    = "fake@example.com"
)

// runWith is run with the environment read through getenv and, when fake
// is set, that fake instead of a fresh one.
func runWith(ctx context.Context, args []string, getenv func(string) string, fake *alicerttest.Server, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("quickstart", flag.ContinueOnError)
	fs.SetOutput(stderr)
	domain := fs.String("domain", "", "domain to certify (required with -real; www.example.com with the fake)")
	real := fs.Bool("real", false, "call Alibaba Cloud (credentials from the default chain) instead of the in-process fake")
	out := fs.String("out", ".", "directory for cert.pem and key.pem")
	force := fs.Bool("force", false, "overwrite existing cert.pem and key.pem")
	poll := fs.Duration("poll", 30*time.Second, "time between state checks with -real")
	username := fs.String("username", getenv("ALICERT_USERNAME"), "applicant name (required with -real; default $ALICERT_USERNAME)")
	phone := fs.String("phone", getenv("ALICERT_PHONE"), "applicant phone number (required with -real; default $ALICERT_PHONE)")
	email := fs.String("email", getenv("ALICERT_EMAIL"), "applicant email (required with -real; default $ALICERT_EMAIL)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	var missing []string
	for _, c := range []struct {
		v           *string
		flag        string
		placeholder string
	}{{username, "-username", fakeUsername}, {phone, "-phone", fakePhone}, {email, "-email", fakeEmail}} {
		if strings.TrimSpace(*c.v) == "" {
			missing = append(missing, c.flag)
			*c.v = c.placeholder // used with the fake only
		}
	}
	switch {
	case *real && *domain == "":
		// A real order costs a certificate from the plan: never for a
		// default name.
		fmt.Fprintln(stderr, "quickstart: -real needs -domain: the domain you control and want a certificate for")
		return 2
	case *real && len(missing) > 0:
		// The service refuses an order without them; checked before
		// anything is sent or any credentials are looked up.
		fmt.Fprintf(stderr, "quickstart: -real needs the applicant's contact details: %s (or ALICERT_USERNAME, ALICERT_PHONE, ALICERT_EMAIL)\n",
			strings.Join(missing, ", "))
		return 2
	case *domain == "":
		*domain = "www.example.com"
	}
	cfg := config{domain: *domain, real: *real, out: *out, force: *force, poll: *poll,
		username: *username, phone: *phone, email: *email, fake: fake}
	if err := quickstart(ctx, cfg, stdout); err != nil {
		fmt.Fprintln(stderr, "quickstart:", err)
		return 1
	}
	return 0
}

type config struct {
	domain string
	real   bool
	out    string
	force  bool
	poll   time.Duration
	// username, phone and email are the applicant's contact details.
	username, phone, email string
	// fake, when set, is the fake to use instead of a fresh one.
	fake *alicerttest.Server
}

func quickstart(ctx context.Context, cfg config, stdout io.Writer) error {
	certPath, keyPath := filepath.Join(cfg.out, "cert.pem"), filepath.Join(cfg.out, "key.pem")
	if !cfg.force {
		for _, p := range []string{certPath, keyPath} {
			if _, err := os.Stat(p); err == nil {
				return fmt.Errorf("%s exists; pass -force to overwrite it", p)
			}
		}
	}

	client, closeFake, err := newClient(cfg)
	if err != nil {
		return err
	}
	defer closeFake()
	if !cfg.real {
		cfg.poll = 10 * time.Millisecond // the fake moves on with every read
		fmt.Fprintln(stdout, "Using the in-process fake service (pass -real to call Alibaba Cloud).")
	}

	order, err := client.CAS.CreateCertificateRequest(ctx, &alicert.CreateCertificateRequestInput{
		Domain:       cfg.domain,
		ValidateType: alicert.ValidateDNS,
		Username:     cfg.username,
		Phone:        cfg.phone,
		Email:        cfg.email,
	})
	if errors.Is(err, alicert.ErrOutcomeUnknown) {
		return fmt.Errorf("%w\n(do not run this again before checking the console for a new order)", err)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Order %d created for %s.\n", order.OrderID, cfg.domain)

	var shown bool
	issued, err := client.CAS.WaitForCertificate(ctx,
		&alicert.DescribeCertificateStateInput{OrderID: order.OrderID},
		alicert.WithPollInterval(cfg.poll),
		alicert.WithProgress(func(s *alicert.DescribeCertificateStateOutput) {
			if s.State == alicert.StateDomainVerify && !shown {
				// DNSRecord completes a name the service may give relative
				// to the zone ("_dnsauth.www").
				if r, err := s.DNSRecord(cfg.domain); err == nil {
					shown = true
					fmt.Fprintf(stdout, "Create this DNS record to prove you control the domain:\n  %s\n", r)
				}
			}
			fmt.Fprintf(stdout, "  state: %s\n", s.State)
		}))
	if err != nil {
		return err
	}

	chain, err := issued.ParseCertificates()
	if err != nil {
		return err
	}
	leaf := chain[0]
	fmt.Fprintf(stdout, "Issued to %v by %s, valid until %s.\n",
		leaf.DNSNames, leaf.Issuer.CommonName, leaf.NotAfter.Format(time.DateOnly))

	if err := os.MkdirAll(cfg.out, 0o755); err != nil {
		return err
	}
	// The key goes first, so that a failure never leaves a certificate
	// without its key. It is owner-only: anyone who reads it can
	// impersonate the site.
	if err := writeFileAtomic(keyPath, issued.PrivateKey, 0o600); err != nil {
		return err
	}
	if err := writeFileAtomic(certPath, issued.Certificate, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Wrote %s and %s (mode 0600).\n", certPath, keyPath)
	return nil
}

// writeFileAtomic writes data to a temporary file (created 0600) in path's
// directory, syncs it, and renames it over path, so that a reader (or a
// crash) never leaves half a file and a key never exists with a wider
// mode, even for a moment.
func writeFileAtomic(path, data string, mode os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".quickstart-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name()) // no-op after the rename
	_, err = f.WriteString(data)
	if err == nil {
		err = f.Chmod(mode)
	}
	if err == nil {
		err = f.Sync() // the data is on disk before the rename makes it path
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// newClient returns a client for the real service or for a fresh fake, and
// a function that stops the fake.
func newClient(cfg config) (*alicert.Client, func(), error) {
	if cfg.real {
		c, err := alicert.NewClient() // default credentials chain
		return c, func() {}, err
	}
	srv, stop := cfg.fake, func() {}
	if srv == nil {
		srv = alicerttest.NewServer()
		stop = srv.Close
	}
	c, err := alicert.NewClient(srv.ClientOptions()...)
	if err != nil {
		stop()
		return nil, nil, err
	}
	return c, stop, nil
}
