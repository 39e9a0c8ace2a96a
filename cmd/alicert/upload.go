package main

import (
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/cmd/alicert/internal/store"
)

// uploadFlags are upload's flags.
type uploadFlags struct {
	common
	name     string
	certPath string
	keyPath  string
	timeout  time.Duration
	json     bool
	quiet    bool
}

// uploadFlagOf maps the fields of UploadUserCertificateInput to the flags
// that set them.
func uploadFlagOf() map[string]string {
	return map[string]string{"Name": "name", "Cert": "cert", "Key": "key"}
}

// maxNameLength is the longest certificate name the service takes.
const maxNameLength = 64

const uploadDescription = `Uploads a certificate issued elsewhere, with its private key, to
Certificate Management Service, where the cloud services (CDN, load
balancers...) can use it, under -name. The pair is checked here first: -cert
must parse (the certificate, optionally followed by its chain) and -key must
be its private key; nothing is sent otherwise.

store.Names are unique in the account. Before uploading, upload looks -name up:
when that name already holds this very certificate there is nothing to do
(exit 0; nothing printed with -q), so the command can be rerun safely, also
after an unknown outcome (exit 3); when it holds another certificate, the
service would refuse the upload (NameRepeat): choose another -name.

-timeout (default 10m) bounds the look-up of -name: a service that never
answers it makes upload fail (exit 1) with nothing uploaded. The upload
request itself is never cut short, so that a timeout never leaves its
outcome unknown.

The private key is never printed.

Exit codes: 0 uploaded, or already there; 1 failure (the name holds another
certificate, say); 2 usage (also: a file that cannot be read, a certificate
that does not parse, a key that is not its key); 3 outcome unknown: the
upload may have happened; rerun the same command, which looks first.

Credentials as for obtain. -fake uploads to a fake account.
`

func (c *cli) upload(ctx context.Context, args []string) int {
	var f uploadFlags
	fs := c.newFlagSet("upload", "upload -name NAME -cert FILE -key FILE [flags]", uploadDescription)
	f.register(fs, fakeVerbUsage)
	fs.StringVar(&f.name, "name", "", "the certificate's name in the account, unique: up to 63 letters, digits and underscores (required)")
	fs.StringVar(&f.certPath, "cert", "", "PEM file of the certificate, optionally followed by its chain (fullchain.pem) (required)")
	fs.StringVar(&f.keyPath, "key", "", "PEM file of its private key (required)")
	fs.BoolVar(&f.json, "json", false, "print the result as JSON")
	fs.BoolVar(&f.quiet, "q", false, "quiet: print nothing when the certificate is already uploaded (for cron)")
	timeoutVar(fs, &f.timeout, "give up looking -name up after this long; the upload itself runs to its end")
	if code, stop := c.parse(fs, args); stop {
		return code
	}
	if code, stop := c.checkTimeout(fs, f.timeout); stop {
		return code
	}
	switch n := utf8.RuneCountInString(f.name); {
	case strings.TrimSpace(f.name) == "":
		return c.usageError(fs, "-name is required: the certificate's name in the account")
	case n > maxNameLength:
		return c.usageError(fs, "-name is %d characters long; at most %d are allowed", n, maxNameLength)
	case f.certPath == "":
		return c.usageError(fs, "-cert is required: the certificate's PEM file")
	case f.keyPath == "":
		return c.usageError(fs, "-key is required: the private key's PEM file")
	}
	certPEM, keyPEM, leaf, msg := readUploadPair(f.certPath, f.keyPath)
	if msg != "" {
		return c.usageError(fs, "%s", msg)
	}
	cl, release, _, err := c.verbClient(ctx, f.common)
	if err != nil {
		return c.failf(exitUsage, "%v", err)
	}
	defer release()

	// Names are unique: a certificate under this name is either this one,
	// uploaded by an earlier run whose answer was lost, or another one
	// the service would refuse to add.
	lookup, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	found, err := cl.CAS.FindUploadedCertificate(lookup, f.name)
	if err != nil {
		return c.failf(exitFailure, "looking up the name %q: %v; nothing was uploaded", f.name, err)
	}
	if found != nil {
		return c.alreadyUploaded(&f, found, leaf)
	}
	out, err := cl.CAS.UploadUserCertificate(ctx, &alicert.UploadUserCertificateInput{Name: f.name, Cert: certPEM, Key: keyPEM})
	var ve *alicert.ValidationError
	var apiErr *alicert.APIError
	switch {
	case errors.As(err, &ve):
		return c.validationUsage(fs, ve, uploadFlagOf())
	case errors.Is(err, alicert.ErrOutcomeUnknown):
		c.errorf("%v", err)
		return c.failf(exitOutcomeUnknown, "the certificate may have been uploaded as %q: rerun the same command, "+
			"which looks the name up first and uploads only when it is free", f.name)
	case errors.As(err, &apiErr) && apiErr.Code == "NameRepeat":
		c.errorf("%v", err)
		return c.failf(exitFailure, "the name %q is taken: certificate names are unique in the account, and the service "+
			"holds one of that name that the lookup did not find (uploaded meanwhile, or not an uploaded one); choose another -name, "+
			"or find it with 'alicert list -status all'", f.name)
	case err != nil:
		return c.failf(exitFailure, "%v", err)
	}
	res := uploadResult{CertID: out.CertID, Name: f.name, ResourceID: out.ResourceID, Uploaded: true, Domains: leaf.DNSNames,
		NotAfter: jsonTime(leaf.NotAfter)}
	return c.printUpload(&f, res, fmt.Sprintf("uploaded %s (%s) as certificate %d", f.name, store.Names(leaf), out.CertID))
}

// readUploadPair reads -cert and -key and checks them as a TLS server
// would load them; msg says what is wrong, naming the flag (never quoting
// the key).
func readUploadPair(certPath, keyPath string) (certPEM, keyPEM string, leaf *x509.Certificate, msg string) {
	certData, err := os.ReadFile(certPath)
	if err != nil {
		return "", "", nil, fmt.Sprintf("-cert %s cannot be read: %v", certPath, errors.Unwrap(err))
	}
	keyData, err := os.ReadFile(keyPath)
	if err != nil {
		return "", "", nil, fmt.Sprintf("-key %s cannot be read: %v", keyPath, errors.Unwrap(err))
	}
	chain, err := alicert.ParseCertificates(string(certData))
	if err != nil {
		return "", "", nil, fmt.Sprintf("-cert %s does not hold a PEM certificate: %v", certPath, unprefixed(err.Error()))
	}
	if _, err := tls.X509KeyPair(certData, keyData); err != nil {
		return "", "", nil, fmt.Sprintf("-key %s is not the private key of the certificate in -cert %s (%v); nothing was sent",
			keyPath, certPath, err)
	}
	return string(certData), string(keyData), chain[0], ""
}

// alreadyUploaded handles a name that exists: nothing to do when it holds
// leaf, a failure otherwise.
func (c *cli) alreadyUploaded(f *uploadFlags, found *alicert.CertificateOrder, leaf *x509.Certificate) int {
	same, known := sameCertificate(found, leaf)
	switch {
	case !known:
		return c.failf(exitFailure, "the name %q is taken by certificate %d, whose fingerprint the service did not give; "+
			"compare it with 'alicert get -cert %d', or choose another -name", f.name, found.CertificateID, found.CertificateID)
	case !same:
		return c.failf(exitFailure, "the name %q is taken by certificate %d, which is not the certificate in -cert (its fingerprint differs); "+
			"certificate names are unique in the account: choose another -name, or delete certificate %d first",
			f.name, found.CertificateID, found.CertificateID)
	}
	if f.quiet && !f.json {
		return exitOK
	}
	res := uploadResult{CertID: found.CertificateID, Name: f.name, ResourceID: found.InstanceID, Domains: leaf.DNSNames,
		NotAfter: jsonTime(leaf.NotAfter)}
	return c.printUpload(f, res, fmt.Sprintf("%s is already uploaded as certificate %d: nothing to do", f.name, found.CertificateID))
}

// sameCertificate reports whether the listed certificate is leaf, by its
// SHA-256 fingerprint (or its SHA-1 one); known is false when the listing
// gave neither.
func sameCertificate(o *alicert.CertificateOrder, leaf *x509.Certificate) (same, known bool) {
	if o.Sha2 != "" {
		sum := sha256.Sum256(leaf.Raw)
		return strings.EqualFold(o.Sha2, hex.EncodeToString(sum[:])), true
	}
	if o.Fingerprint != "" {
		sum := sha1.Sum(leaf.Raw)
		return strings.EqualFold(strings.ReplaceAll(o.Fingerprint, ":", ""), hex.EncodeToString(sum[:])), true
	}
	return false, false
}

// uploadResult is the JSON form of upload's result.
type uploadResult struct {
	CertID     int64  `json:"cert_id"`
	Name       string `json:"name"`
	ResourceID string `json:"resource_id,omitempty"`
	// Uploaded is false when the name already held the certificate.
	Uploaded bool     `json:"uploaded"`
	Domains  []string `json:"domains"`
	NotAfter string   `json:"not_after"`
}

// printUpload prints the result: JSON, or the line.
func (c *cli) printUpload(f *uploadFlags, res uploadResult, line string) int {
	var err error
	if f.json {
		err = writeJSON(c.stdout, res)
	} else {
		_, err = fmt.Fprintln(c.stdout, line)
	}
	if err != nil {
		return c.failf(exitFailure, "%v", err)
	}
	return exitOK
}
