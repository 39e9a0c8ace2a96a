package alicert

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// The challenge contract: the validation an order asks for (a DNS record or
// a file), the providers that publish it, and how a state output is read
// to find it.

// DNSRecord is a DNS record that proves control of a domain, as an order
// asks for it.
type DNSRecord struct {
	// Domain is the domain being certified, as ordered: "example.com",
	// "www.example.com" or "*.example.com".
	Domain string
	// Type is the record type, "TXT" or "CNAME".
	Type string
	// Name is the record's fully qualified name without a trailing dot,
	// such as "_dnsauth.example.com".
	Name string
	// Value is the record's value.
	Value string
}

// String returns the record in zone-file form.
func (r DNSRecord) String() string {
	return fmt.Sprintf("%s. %s %q", r.Name, r.Type, r.Value)
}

// DNSProvider publishes DNS validation records at a DNS host. Obtain calls
// Present before it waits for the CA, and CleanUp afterwards, also when
// Present or anything later failed, with a context that is not cancelled
// with Obtain's.
//
// Both must be idempotent: Present of a record that exists already must
// succeed without adding it twice, and CleanUp of a record that does not
// exist (never added, or already removed) must succeed. CleanUp should
// remove only the record presented (or records identical to it), never
// other records of the same name. AlidnsProvider implements it for Alibaba
// Cloud DNS.
type DNSProvider interface {
	Present(ctx context.Context, r DNSRecord) error
	CleanUp(ctx context.Context, r DNSRecord) error
}

// FileChallenge is a file that proves control of a domain: the CA fetches
// http://Domain/Path and expects Content.
type FileChallenge struct {
	// Domain is the host whose web server must serve the file.
	Domain string
	// Path is the URL path, such as "/.well-known/pki-validation/fileauth.txt".
	Path string
	// Content is the exact body to serve.
	Content string
}

// FileProvider publishes FILE validation challenges on a web server. It has
// the same contract as DNSProvider: idempotent Present and CleanUp, CleanUp
// always called once Present was.
type FileProvider interface {
	Present(ctx context.Context, f FileChallenge) error
	CleanUp(ctx context.Context, f FileChallenge) error
}

// challenge is the validation an order asks for, as Obtain publishes and
// removes it: a DNSRecord or a FileChallenge, never both.
type challenge interface {
	// provider returns the provider of in that publishes the challenge,
	// or the problem that it is not set.
	provider(in *ObtainInput) (challengeProvider, error)
	// event is an ObtainEvent of stage about the challenge.
	event(stage ObtainStage) ObtainEvent
	// describe names the challenge in errors: "the record <zone-file
	// form>" or the URL the CA fetches.
	describe() string
}

// challengeProvider publishes and removes one challenge.
type challengeProvider interface {
	present(ctx context.Context) error
	cleanUp(ctx context.Context) error
}

func (r DNSRecord) provider(in *ObtainInput) (challengeProvider, error) {
	if in.DNS == nil {
		return nil, errors.New("asks for DNS validation; set ObtainInput.DNS")
	}
	return dnsPublisher{in.DNS, r}, nil
}

func (r DNSRecord) event(stage ObtainStage) ObtainEvent { return ObtainEvent{Stage: stage, Record: &r} }

func (r DNSRecord) describe() string { return "the record " + r.String() }

func (f FileChallenge) provider(in *ObtainInput) (challengeProvider, error) {
	if in.File == nil {
		return nil, errors.New("asks for FILE validation; set ObtainInput.File")
	}
	return filePublisher{in.File, f}, nil
}

func (f FileChallenge) event(stage ObtainStage) ObtainEvent {
	return ObtainEvent{Stage: stage, File: &f}
}

func (f FileChallenge) describe() string { return "http://" + f.Domain + f.Path }

// dnsPublisher and filePublisher bind a challenge to its provider.
type dnsPublisher struct {
	p DNSProvider
	r DNSRecord
}

func (d dnsPublisher) present(ctx context.Context) error { return d.p.Present(ctx, d.r) }
func (d dnsPublisher) cleanUp(ctx context.Context) error { return d.p.CleanUp(ctx, d.r) }

type filePublisher struct {
	p FileProvider
	f FileChallenge
}

func (f filePublisher) present(ctx context.Context) error { return f.p.Present(ctx, f.f) }
func (f filePublisher) cleanUp(ctx context.Context) error { return f.p.CleanUp(ctx, f.f) }

// otherDomainError says that an order's validation is for another domain
// than the one given: after a resume, the order is most likely another
// domain's, and publishing the record or file could never validate it.
type otherDomainError struct {
	what   string // `record "_dnsauth.a.example.com"`, `the file's host "a.example.com"`
	rel    string // "is not under", "is not"
	domain string
}

func (e *otherDomainError) Error() string { return fmt.Sprintf("%s %s %q", e.what, e.rel, e.domain) }

// DNSRecord returns the DNS record the order asks for in StateDomainVerify
// with DNS validation, its name completed to the full name: the service
// may give RecordDomain relative to the zone ("_dnsauth.www" for
// www.example.com, which becomes "_dnsauth.www.example.com"). domain is the
// order's domain as ordered ("*.example.com" included); empty means
// o.Domain, and with both empty RecordDomain is taken as it is.
//
// It fails when the service named no record, or a record of a domain other
// than domain (the order is then another domain's).
func (o *DescribeCertificateStateOutput) DNSRecord(domain string) (DNSRecord, error) {
	r, err := o.dnsRecord(domain)
	if err != nil {
		return DNSRecord{}, challengeError("DNSRecord", err)
	}
	return *r, nil
}

// FileChallenge returns the file the order asks for in StateDomainVerify
// with FILE validation, its Uri made a URL path. The file is for domain's
// web server; empty means o.Domain. It fails when the service named no
// file, or a host other than domain (the order is then another domain's).
func (o *DescribeCertificateStateOutput) FileChallenge(domain string) (FileChallenge, error) {
	f, err := o.fileChallenge(domain)
	if err != nil {
		return FileChallenge{}, challengeError("FileChallenge", err)
	}
	return *f, nil
}

func challengeError(method string, err error) error {
	var other *otherDomainError
	if errors.As(err, &other) {
		return errorf("alicert: %s: %w; is the order another domain's?", method, err)
	}
	return errorf("alicert: %s: %w", method, err)
}

// dnsRecord is DNSRecord with an unwrapped error, for Obtain.
func (o *DescribeCertificateStateOutput) dnsRecord(domain string) (*DNSRecord, error) {
	if o == nil {
		return nil, errors.New("no order state")
	}
	if o.RecordDomain == "" || o.RecordValue == "" {
		return nil, errors.New("the service asks for DNS validation but does not say which record")
	}
	if domain == "" {
		domain = o.Domain
	}
	name, err := recordName(o.RecordDomain, domain)
	if err != nil {
		return nil, err
	}
	typ := strings.ToUpper(o.RecordType)
	if typ == "" {
		typ = "TXT"
	}
	return &DNSRecord{Domain: domain, Type: typ, Name: name, Value: o.RecordValue}, nil
}

// fileChallenge is FileChallenge with an unwrapped error, for Obtain. The
// domain is picked as for dnsRecord; when the service names another host,
// the CA would look there, so the two must agree.
func (o *DescribeCertificateStateOutput) fileChallenge(domain string) (*FileChallenge, error) {
	if o == nil {
		return nil, errors.New("no order state")
	}
	if o.URI == "" {
		return nil, errors.New("the service asks for FILE validation but does not say which file")
	}
	host := domain
	switch {
	case host == "":
		host = o.Domain
	case o.Domain != "" && baseDomain(o.Domain) != baseDomain(domain):
		return nil, &otherDomainError{what: fmt.Sprintf("the file's host %q", o.Domain), rel: "is not", domain: domain}
	}
	return &FileChallenge{Domain: host, Path: filePath(o.URI), Content: o.Content}, nil
}

// baseDomain normalizes a domain and drops a wildcard's "*.".
func baseDomain(d string) string {
	return normalizeName(strings.TrimPrefix(strings.TrimSpace(d), "*."))
}

// recordName returns the fully qualified name of the validation record an
// order asks for. The service gives RecordDomain either fully qualified
// ("_dnsauth.www.example.com") or relative to the zone ("_dnsauth.www",
// "_dnsauth"), and the zone is not in the response. A name that is domain
// or ends in it is taken as fully qualified. Otherwise the name's trailing
// labels that repeat domain's leading labels are the part of domain below
// the zone ("_dnsauth.www" for www.example.com), and the rest of domain is
// appended: _dnsauth.www + www.example.com -> _dnsauth.www.example.com;
// _dnsauth + example.com -> _dnsauth.example.com.
//
// A name that ends in domain's last two labels but not in domain
// (_dnsauth.a.example.com for b.example.com) is fully qualified for
// another domain: no relative name ends that way, as the zone holds at
// least those two labels. It is an otherDomainError, rather than a name
// joined from both that nobody would ever validate.
func recordName(recordDomain, domain string) (string, error) {
	name := normalizeName(recordDomain)
	base := baseDomain(domain)
	if base == "" || name == base || strings.HasSuffix(name, "."+base) {
		return name, nil
	}
	nl, bl := strings.Split(name, "."), strings.Split(base, ".")
	if len(bl) >= 2 && strings.HasSuffix(name, "."+strings.Join(bl[len(bl)-2:], ".")) {
		return "", &otherDomainError{what: fmt.Sprintf("record %q", name), rel: "is not under", domain: base}
	}
	overlap := 0
	for k := min(len(nl)-1, len(bl)); k > 0; k-- {
		if strings.Join(nl[len(nl)-k:], ".") == strings.Join(bl[:k], ".") {
			overlap = k
			break
		}
	}
	return strings.Join(nl[:len(nl)-overlap], ".") + "." + base, nil
}

// filePath makes the Uri of FILE validation a URL path. The service may give
// it with or without the leading slash, or as a full URL.
func filePath(uri string) string {
	u := strings.TrimSpace(uri)
	if i := strings.Index(u, "://"); i >= 0 {
		u = u[i+3:]
		if j := strings.IndexByte(u, '/'); j >= 0 {
			u = u[j:]
		} else {
			u = "/"
		}
	}
	if !strings.HasPrefix(u, "/") {
		u = "/" + u
	}
	return u
}
