package alicert

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
)

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

// ErrCleanupFailed is matched (with errors.Is) by the error Obtain returns
// when the validation record or file could not be removed. When the order
// was issued, Obtain returns its output too: the certificate is good, and
// only the record is left to remove by hand.
var ErrCleanupFailed = errors.New("validation cleanup failed")

// Defaults of ObtainInput.
const (
	defaultCleanupTimeout = time.Minute
)

// ObtainInput is the input of Obtain.
type ObtainInput struct {
	// Domain is the one domain to certify. It is required for a new order.
	// When resuming (OrderID set) it is still used to complete a DNS record
	// name the service gives relative to the domain.
	Domain string
	// ProductCode, Username, Phone, Email and Tags are passed to
	// CreateCertificateRequest for a new order, which requires Username,
	// Phone and Email.
	ProductCode string
	Username    string
	Phone       string
	Email       string
	Tags        []Tag
	// ValidateType is how domain control is proved. Empty means
	// ValidateFile when only File is set, ValidateDNS otherwise.
	ValidateType ValidateType

	// OrderID resumes an existing order instead of creating one: after a
	// restart, or after CreateCertificateRequest failed with
	// ErrOutcomeUnknown and the order was found in the console.
	OrderID int64

	// DNS publishes the record of DNS validation.
	DNS DNSProvider
	// File publishes the file of FILE validation.
	File FileProvider

	// PollInterval is the time between state reads while waiting (default
	// 30s, WaitForCertificate's).
	PollInterval time.Duration
	// CleanupTimeout bounds the removal of the record or file, which runs
	// even when ctx is cancelled (default 1m).
	CleanupTimeout time.Duration
	// Progress, when set, is called with each step, synchronously, from the
	// goroutine that called Obtain.
	Progress func(ObtainEvent)
}

func (in *ObtainInput) validate() []FieldError {
	var p problems
	switch {
	case in.OrderID < 0:
		p.add("OrderID", fmt.Sprintf("must be a positive id to resume, or 0 for a new order; got %d", in.OrderID))
	case in.OrderID == 0:
		p = append(p, in.createInput().validate()...) // Username, Phone and Email included
	default:
		if in.Domain != "" {
			checkDomain(&p, "Domain", in.Domain, certName)
		}
		if in.ValidateType != "" {
			oneOf(&p, "ValidateType", in.ValidateType, ValidateDNS, ValidateFile)
		}
	}
	switch in.validateType() {
	case ValidateDNS:
		if in.DNS == nil {
			p.add("DNS", "is required for DNS validation: a DNSProvider such as NewAlidnsProvider(client)")
		}
	case ValidateFile:
		if in.File == nil {
			p.add("File", "is required for FILE validation: a FileProvider")
		}
	}
	if in.PollInterval < 0 {
		p.add("PollInterval", "must not be negative")
	}
	if in.CleanupTimeout < 0 {
		p.add("CleanupTimeout", "must not be negative")
	}
	return p
}

func (in *ObtainInput) validateType() ValidateType {
	switch {
	case in.ValidateType != "":
		return in.ValidateType
	case in.DNS == nil && in.File != nil:
		return ValidateFile
	}
	return ValidateDNS
}

func (in *ObtainInput) createInput() *CreateCertificateRequestInput {
	return &CreateCertificateRequestInput{
		ProductCode: in.ProductCode, Username: in.Username, Phone: in.Phone, Email: in.Email,
		Domain: in.Domain, ValidateType: in.validateType(), Tags: in.Tags,
	}
}

// ObtainStage names a step of Obtain, reported through ObtainInput.Progress.
type ObtainStage string

const (
	// StageOrdering: CreateCertificateRequest is about to be sent.
	StageOrdering ObtainStage = "ordering"
	// StageOrdered: the order exists; OrderID is set. Record it to resume
	// after a crash.
	StageOrdered ObtainStage = "ordered"
	// StageResuming: an existing order (ObtainInput.OrderID) is resumed.
	StageResuming ObtainStage = "resuming"
	// StagePresenting: the provider is asked to publish Record or File.
	StagePresenting ObtainStage = "presenting"
	// StagePresented: the record or file is published.
	StagePresented ObtainStage = "presented"
	// StageWaiting: a state read while waiting; State is set.
	StageWaiting ObtainStage = "waiting"
	// StageIssued: the certificate is issued.
	StageIssued ObtainStage = "issued"
	// StageCleaningUp: the provider is asked to remove Record or File.
	StageCleaningUp ObtainStage = "cleaning_up"
	// StageCleanedUp: the record or file is removed; Err is set when that
	// failed.
	StageCleanedUp ObtainStage = "cleaned_up"
)

// ObtainEvent is one step of Obtain.
type ObtainEvent struct {
	// Stage is the step.
	Stage ObtainStage
	// OrderID is the order, once known.
	OrderID int64
	// State is the order's state, for StageWaiting.
	State CertificateState
	// Record is the DNS record being presented or cleaned up.
	Record *DNSRecord
	// File is the file being presented or cleaned up.
	File *FileChallenge
	// Err is the failure of the step, if any.
	Err error
}

// String describes the event in one line, for a progress display.
func (e ObtainEvent) String() string {
	var b strings.Builder
	b.WriteString(string(e.Stage))
	if e.OrderID != 0 {
		fmt.Fprintf(&b, " order=%d", e.OrderID)
	}
	if e.State != "" {
		fmt.Fprintf(&b, " state=%s", e.State)
	}
	if e.Record != nil {
		b.WriteString(" record=")
		b.WriteString(e.Record.String())
	}
	if e.File != nil {
		fmt.Fprintf(&b, " file=http://%s%s", e.File.Domain, e.File.Path)
	}
	if e.Err != nil {
		b.WriteString(" error=")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// ObtainOutput is the output of Obtain.
type ObtainOutput struct {
	// OrderID is the certificate order.
	OrderID int64
	// Certificate is the issued certificate PEM with its chain, as the
	// service returned it.
	Certificate string
	// Chain is Certificate parsed, leaf first (see ParseCertificates).
	Chain []*x509.Certificate
	// PrivateKey is the private key PEM: the field itself holds the whole
	// key, for the caller to write to a file; only formatting hides it
	// (%v, %+v, %#v, log/slog and json.Marshal, also nested).
	PrivateKey string
}

// Leaf returns the issued certificate, Chain[0] (nil when Chain is empty).
func (o *ObtainOutput) Leaf() *x509.Certificate {
	if o == nil || len(o.Chain) == 0 {
		return nil
	}
	return o.Chain[0]
}

// String formats o with PrivateKey hidden and Chain summarised.
func (o ObtainOutput) String() string { return o.format(false) }

// GoString formats o with PrivateKey hidden and Chain summarised.
func (o ObtainOutput) GoString() string { return o.format(true) }

// Format formats o with PrivateKey hidden whatever the verb: %x or %d of
// the struct would otherwise print the key's bytes.
func (o ObtainOutput) Format(f fmt.State, verb rune) { formatWith(f, verb, o.format) }

// LogValue hides PrivateKey from log/slog, whose JSON handler would
// otherwise marshal every field.
func (o ObtainOutput) LogValue() slog.Value { return slog.StringValue(o.format(false)) }

func (o ObtainOutput) format(goSyntax bool) string {
	// plain has no methods, so that formatting it does not recurse.
	type plain struct {
		OrderID     int64
		Certificate string
		Chain       []string
		PrivateKey  string
	}
	p := plain{OrderID: o.OrderID, Certificate: o.Certificate, PrivateKey: hidden(o.PrivateKey)}
	for _, c := range o.Chain {
		if c != nil {
			p.Chain = append(p.Chain, fmt.Sprintf("%s (until %s)", c.Subject, c.NotAfter.UTC().Format(time.RFC3339)))
		}
	}
	return formatHidden("ObtainOutput", p, goSyntax)
}

// Obtain gets a certificate in one call: it creates the order (or resumes
// in.OrderID), publishes the domain validation the order asks for with
// in.DNS or in.File, waits for issuance with WaitForCertificate, removes the
// record or file, and returns the parsed chain, the key and the order id.
//
// Recovery: the order is never created twice. When CreateCertificateRequest
// fails with ErrOutcomeUnknown, Obtain returns that error without trying
// again; find the order in the console and call Obtain with its OrderID.
// Record the id reported with StageOrdered to resume after a crash.
//
// Cleanup always runs once Present was called, also when Present or the
// wait failed or ctx was cancelled, under a context of its own bounded by
// in.CleanupTimeout. Its failure is reported with ErrCleanupFailed, joined
// to any earlier error; when the certificate was issued, the output is
// returned with it.
//
// An order that fails verification gives an error matching ErrVerifyFailed;
// it cannot be resumed.
func (s *CASService) Obtain(ctx context.Context, in *ObtainInput) (out *ObtainOutput, err error) {
	if in == nil {
		in = new(ObtainInput)
	}
	if problems := in.validate(); len(problems) > 0 {
		return nil, &ValidationError{Operation: "Obtain", Fields: problems}
	}
	o := &obtainer{s: s, in: in, orderID: in.OrderID}
	if o.orderID == 0 {
		if err := o.order(ctx); err != nil {
			return nil, err
		}
	} else {
		o.emit(ObtainEvent{Stage: StageResuming})
	}
	defer func() {
		if cerr := o.cleanUp(ctx); cerr != nil {
			err = errors.Join(err, cerr)
		}
	}()
	state, err := o.awaitChallenge(ctx)
	if err != nil {
		return nil, err
	}
	if state.State != StateCertificate {
		state, err = s.WaitForCertificate(ctx, &DescribeCertificateStateInput{OrderID: o.orderID},
			WithPollInterval(o.pollInterval()), WithProgress(o.waitProgress))
		if err != nil {
			return nil, err
		}
	}
	return o.finish(state)
}

// obtainer carries the state of one Obtain call.
type obtainer struct {
	s       *CASService
	in      *ObtainInput
	orderID int64

	// presented holds what Present was called with (successfully or not),
	// and so what cleanUp must remove.
	presentedDNS  *DNSRecord
	presentedFile *FileChallenge
}

func (o *obtainer) emit(e ObtainEvent) {
	if o.in.Progress == nil {
		return
	}
	if e.OrderID == 0 {
		e.OrderID = o.orderID
	}
	o.in.Progress(e)
}

func (o *obtainer) pollInterval() time.Duration {
	if o.in.PollInterval > 0 {
		return o.in.PollInterval
	}
	return defaultPollInterval
}

// order creates the order. It never tries twice: an unknown outcome is the
// caller's to resolve.
func (o *obtainer) order(ctx context.Context) error {
	o.emit(ObtainEvent{Stage: StageOrdering})
	created, err := o.s.CreateCertificateRequest(ctx, o.in.createInput())
	if err != nil {
		return err
	}
	o.orderID = created.OrderID
	o.emit(ObtainEvent{Stage: StageOrdered})
	return nil
}

// awaitChallenge reads the order until it states what it waits for, and
// publishes the record or file it asks for. It returns the last state read.
func (o *obtainer) awaitChallenge(ctx context.Context) (*DescribeCertificateStateOutput, error) {
	in := &DescribeCertificateStateInput{OrderID: o.orderID}
	for {
		st, err := o.s.DescribeCertificateState(ctx, in)
		if err != nil {
			return nil, err
		}
		o.emit(ObtainEvent{Stage: StageWaiting, State: st.State})
		switch st.State {
		case StateCertificate, StateProcess:
			o.adopt(st)
			return st, nil
		case StateVerifyFail:
			o.adopt(st)
			return nil, fmt.Errorf("alicert: Obtain: order %d: %w", o.orderID, ErrVerifyFailed)
		case StateDomainVerify:
			return st, o.present(ctx, st)
		}
		// payed, unknow or a state this client does not know: the order
		// has not said what it waits for yet.
		if err := o.s.client.cfg.sleep(ctx, o.pollInterval()); err != nil {
			return nil, fmt.Errorf("alicert: Obtain: waiting for order %d to ask for validation (last state %q): %w", o.orderID, st.State, err)
		}
	}
}

// adopt marks for cleanup the record or file a resumed order names although
// it is past validation: a run that crashed after presenting it left it
// behind. Providers' CleanUp is idempotent, so a record that was removed
// already costs one lookup.
func (o *obtainer) adopt(st *DescribeCertificateStateOutput) {
	if o.in.OrderID == 0 {
		return
	}
	r, f, err := o.challenge(st)
	switch {
	case err != nil:
	case r != nil && o.in.DNS != nil:
		o.presentedDNS = r
	case f != nil && o.in.File != nil:
		o.presentedFile = f
	}
}

// challenge returns the record or file st asks for.
func (o *obtainer) challenge(st *DescribeCertificateStateOutput) (*DNSRecord, *FileChallenge, error) {
	kind := ValidateType(strings.ToUpper(st.ValidateType))
	if kind == "" {
		kind = o.in.validateType()
	}
	var (
		r   *DNSRecord
		f   *FileChallenge
		err error
	)
	switch kind {
	case ValidateDNS:
		r, err = st.dnsRecord(o.in.Domain)
	case ValidateFile:
		f, err = st.fileChallenge(o.in.Domain)
	default:
		err = fmt.Errorf("the service asks for validation of type %q, which this client does not know", st.ValidateType)
	}
	var other *otherDomainError
	switch {
	case errors.As(err, &other) && o.in.OrderID != 0:
		return nil, nil, fmt.Errorf("alicert: Obtain: order %d: %w; is OrderID for another domain?", o.orderID, err)
	case err != nil:
		return nil, nil, fmt.Errorf("alicert: Obtain: order %d: %w", o.orderID, err)
	}
	return r, f, nil
}

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
		return fmt.Errorf("alicert: %s: %w; is the order another domain's?", method, err)
	}
	return fmt.Errorf("alicert: %s: %w", method, err)
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

// present publishes what st asks for. What it is asked to publish is marked
// for cleanup before Present runs, since a failed Present may have left
// part of it behind.
func (o *obtainer) present(ctx context.Context, st *DescribeCertificateStateOutput) error {
	r, f, err := o.challenge(st)
	if err != nil {
		return err
	}
	if r != nil {
		if o.in.DNS == nil {
			return fmt.Errorf("alicert: Obtain: order %d asks for DNS validation; set ObtainInput.DNS", o.orderID)
		}
		o.presentedDNS = r
		o.emit(ObtainEvent{Stage: StagePresenting, Record: r})
		if err := o.in.DNS.Present(ctx, *r); err != nil {
			return fmt.Errorf("alicert: Obtain: order %d: presenting %s: %w", o.orderID, r, err)
		}
		o.emit(ObtainEvent{Stage: StagePresented, Record: r})
		return nil
	}
	if o.in.File == nil {
		return fmt.Errorf("alicert: Obtain: order %d asks for FILE validation; set ObtainInput.File", o.orderID)
	}
	o.presentedFile = f
	o.emit(ObtainEvent{Stage: StagePresenting, File: f})
	if err := o.in.File.Present(ctx, *f); err != nil {
		return fmt.Errorf("alicert: Obtain: order %d: presenting http://%s%s: %w", o.orderID, f.Domain, f.Path, err)
	}
	o.emit(ObtainEvent{Stage: StagePresented, File: f})
	return nil
}

// cleanUp removes what was presented. It runs under a context that ctx's
// cancellation does not end, so that a cancelled Obtain leaves nothing
// behind, bounded by CleanupTimeout.
func (o *obtainer) cleanUp(ctx context.Context) error {
	if o.presentedDNS == nil && o.presentedFile == nil {
		return nil
	}
	timeout := o.in.CleanupTimeout
	if timeout == 0 {
		timeout = defaultCleanupTimeout
	}
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	defer cancel()
	// Each removal keeps its own error, so that a later success cannot
	// hide an earlier failure.
	var dnsErr, fileErr error
	if r := o.presentedDNS; r != nil {
		o.emit(ObtainEvent{Stage: StageCleaningUp, Record: r})
		if err := o.in.DNS.CleanUp(cctx, *r); err != nil {
			dnsErr = fmt.Errorf("alicert: Obtain: order %d: %w: remove the record %s by hand: %w", o.orderID, ErrCleanupFailed, r, err)
		}
		o.emit(ObtainEvent{Stage: StageCleanedUp, Record: r, Err: dnsErr})
	}
	if f := o.presentedFile; f != nil {
		o.emit(ObtainEvent{Stage: StageCleaningUp, File: f})
		if err := o.in.File.CleanUp(cctx, *f); err != nil {
			fileErr = fmt.Errorf("alicert: Obtain: order %d: %w: remove http://%s%s by hand: %w", o.orderID, ErrCleanupFailed, f.Domain, f.Path, err)
		}
		o.emit(ObtainEvent{Stage: StageCleanedUp, File: f, Err: fileErr})
	}
	return errors.Join(dnsErr, fileErr)
}

// waitProgress reports each state read while waiting.
func (o *obtainer) waitProgress(st *DescribeCertificateStateOutput) {
	o.emit(ObtainEvent{Stage: StageWaiting, State: st.State})
}

// finish checks and parses the issued certificate.
func (o *obtainer) finish(st *DescribeCertificateStateOutput) (*ObtainOutput, error) {
	if strings.TrimSpace(st.PrivateKey) == "" {
		return nil, fmt.Errorf("alicert: Obtain: order %d is issued but the response has no PrivateKey (request id %s)", o.orderID, st.RequestID)
	}
	chain, err := issuedChain(st, o.in.Domain)
	if err != nil {
		return nil, fmt.Errorf("alicert: Obtain: order %d: %w", o.orderID, err)
	}
	o.emit(ObtainEvent{Stage: StageIssued})
	return &ObtainOutput{OrderID: o.orderID, Certificate: st.Certificate, Chain: chain, PrivateKey: st.PrivateKey}, nil
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
