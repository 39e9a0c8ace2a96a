package alicert

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

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

	// PollInterval, when positive, fixes the time between state reads while
	// waiting; zero means WaitForCertificate's adaptive pauses (about 2s,
	// 4s, 8s, 16s, then 30s; see WithPollInterval). Once the challenge is
	// presented, the first read comes after one pause.
	PollInterval time.Duration
	// CleanupTimeout bounds the removal of the record or file, which runs
	// even when ctx is cancelled (default 1m).
	CleanupTimeout time.Duration
	// MaxWait, when positive, bounds the waiting only: for the order to
	// ask for validation, for the provider to publish it, and for
	// issuance, counted from once the order exists. The order request
	// itself runs under ctx alone, so that this limit never cuts it short
	// and leaves its outcome unknown; the cleanup has CleanupTimeout. Past
	// MaxWait, Obtain returns an error matching context.DeadlineExceeded,
	// and the order can be resumed with OrderID. Zero means no limit but
	// ctx's.
	MaxWait time.Duration
	// Progress, when set, is called with each step, synchronously, from the
	// goroutine that called Obtain.
	Progress func(ObtainEvent)

	// Key, when set, is the certificate's key, kept by the caller: an
	// ECDSA P-256 or P-384 key, or RSA of 2048 bits or more (any
	// crypto.Signer of those, such as a KMSSigner). Obtain builds a CSR for
	// Domain signed with it and orders with CreateCertificateWithCsrRequest,
	// so the private key never leaves the caller; ObtainOutput.PrivateKey
	// then stays empty, and the issued leaf must hold Key's public key.
	// When resuming an order (OrderID), set the Key it was ordered with.
	// Nil has the service generate the key (CreateCertificateRequest).
	// Formatting an ObtainInput shows only the key's type.
	Key crypto.Signer `redact:"secret"`
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
	if in.Key != nil {
		if problem := keyProblem(in.Key.Public()); problem != "" {
			p.add("Key", "is "+problem)
		}
	}
	if in.PollInterval < 0 {
		p.add("PollInterval", "must not be negative")
	}
	if in.CleanupTimeout < 0 {
		p.add("CleanupTimeout", "must not be negative")
	}
	if in.MaxWait < 0 {
		p.add("MaxWait", "must not be negative")
	}
	return p
}

// Validate checks in the way Obtain does before it sends anything, and
// returns a *ValidationError naming every bad field, or nil. A program can
// call it before it prepares anything an order needs, so that a bad domain
// costs nothing at all.
func (in *ObtainInput) Validate() error {
	if in == nil {
		in = new(ObtainInput)
	}
	if problems := in.validate(); len(problems) > 0 {
		return &ValidationError{Operation: "Obtain", Fields: problems}
	}
	return nil
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
	// StageOrdering: CreateCertificateRequest (or, with ObtainInput.Key,
	// CreateCertificateWithCsrRequest) is about to be sent.
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
	// CertID is the issued certificate's id in the account's certificate
	// list, which DeployInput.CertID takes, when the service gives one:
	// DescribeCertificateState's CertId, which its model documents as
	// "returned when the certificate is issued" (a string there, parsed
	// here); zero when it is missing or not a positive id.
	//
	// With ObtainInput.Key the service never had the private key, so the
	// certificate it knows by CertID has none to install on a resource.
	// To deploy such a certificate, upload it with its key first
	// (UploadObtained) and deploy the CertID the upload returns.
	CertID int64
	// Certificate is the issued certificate PEM with its chain, as the
	// service returned it.
	Certificate string
	// Chain is Certificate parsed, leaf first (see ParseCertificates).
	Chain []*x509.Certificate
	// PrivateKey is the private key PEM: the field itself holds the whole
	// key, for the caller to write to a file; only formatting hides it
	// (%v, %+v, %#v, log/slog and json.Marshal, also nested).
	PrivateKey string `redact:"secret"`
}

// Leaf returns the issued certificate, Chain[0] (nil when Chain is empty).
func (o *ObtainOutput) Leaf() *x509.Certificate {
	if o == nil || len(o.Chain) == 0 {
		return nil
	}
	return o.Chain[0]
}

// Obtain gets a certificate in one call: it creates the order (or resumes
// in.OrderID), publishes the domain validation the order asks for with
// in.DNS or in.File, waits for issuance as WaitForCertificate does, removes the
// record or file, and returns the parsed chain, the key and the order id.
// With in.Key set the order is placed with a CSR of that key
// (CreateCertificateWithCsrRequest) and the output holds no key: the
// caller has it.
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
	if err := in.Validate(); err != nil {
		return nil, err
	}
	o := &obtainer{s: s, in: in, orderID: in.OrderID}
	if o.orderID == 0 {
		if err := o.order(ctx); err != nil {
			return nil, err
		}
	} else {
		o.emit(ObtainEvent{Stage: StageResuming})
	}
	// Only the waiting is bounded by MaxWait: the order above ran under
	// ctx alone. The cleanup derives from the unbounded ctx, with its own
	// limit.
	waitCtx := ctx
	if in.MaxWait > 0 {
		var cancel context.CancelFunc
		waitCtx, cancel = context.WithTimeout(ctx, in.MaxWait)
		defer cancel()
	}
	defer func() {
		if cerr := o.cleanUp(ctx); cerr != nil {
			err = errors.Join(err, cerr)
		}
	}()
	out, err = o.await(waitCtx)
	if err != nil && ctx.Err() == nil && waitCtx.Err() != nil {
		err = errorf("alicert: Obtain: order %d: gave up waiting after MaxWait %s; the order goes on, resume it with OrderID: %w",
			o.orderID, in.MaxWait, err)
	}
	return out, err
}

// await publishes the validation the order asks for and waits for
// issuance.
func (o *obtainer) await(ctx context.Context) (*ObtainOutput, error) {
	state, err := o.awaitChallenge(ctx)
	if err != nil {
		return nil, err
	}
	if state.State != StateCertificate {
		// The state was just read: the next read comes after a pause.
		state, err = o.wait(ctx, true, nil)
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

	// presented is what Present was called with (successfully or not), and
	// so what cleanUp must remove; nil until then.
	presented challenge
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

// wait polls the order as WaitForCertificate does, with the poll interval
// of the input and each state read reported as StageWaiting, until it is
// issued or fails verification, or until also says its state ends the wait.
// The first read is at once unless pauseFirst.
func (o *obtainer) wait(ctx context.Context, pauseFirst bool, also func(*DescribeCertificateStateOutput) bool) (*DescribeCertificateStateOutput, error) {
	w := waiter[DescribeCertificateStateOutput]{interval: o.in.PollInterval, pauseFirst: pauseFirst, progress: func(st *DescribeCertificateStateOutput) {
		o.emit(ObtainEvent{Stage: StageWaiting, State: st.State})
	}}
	return o.s.waitForOrder(ctx, "alicert: Obtain", &DescribeCertificateStateInput{OrderID: o.orderID}, w, also)
}

// order creates the order: with a CSR of in.Key when it is set, otherwise
// with a key the service makes. It never tries twice: an unknown outcome is
// the caller's to resolve.
func (o *obtainer) order(ctx context.Context) error {
	o.emit(ObtainEvent{Stage: StageOrdering})
	var id int64
	if o.in.Key != nil {
		csr, err := keyCSR(o.in.Key, o.in.Domain)
		if err != nil {
			return errorf("alicert: Obtain: building the CSR with Key: %w", err)
		}
		c := o.in.createInput()
		created, err := o.s.CreateCertificateWithCsrRequest(ctx, &CreateCertificateWithCsrRequestInput{
			Csr: csr, ProductCode: c.ProductCode, Username: c.Username, Phone: c.Phone, Email: c.Email,
			ValidateType: c.ValidateType, Tags: c.Tags,
		})
		if err != nil {
			return err
		}
		id = created.OrderID
	} else {
		created, err := o.s.CreateCertificateRequest(ctx, o.in.createInput())
		if err != nil {
			return err
		}
		id = created.OrderID
	}
	o.orderID = id
	o.emit(ObtainEvent{Stage: StageOrdered})
	return nil
}

// awaitChallenge waits until the order states what it waits for (in
// StatePayed or StateUnknown it has not said yet), and publishes the record
// or file it asks for. It returns the last state read.
func (o *obtainer) awaitChallenge(ctx context.Context) (*DescribeCertificateStateOutput, error) {
	st, err := o.wait(ctx, false, func(st *DescribeCertificateStateOutput) bool {
		return st.State == StateDomainVerify || st.State == StateProcess
	})
	if st != nil && st.State != StateDomainVerify {
		o.adopt(st)
	}
	if err != nil {
		return nil, err
	}
	if st.State == StateDomainVerify {
		return st, o.present(ctx, st)
	}
	return st, nil
}

// adopt marks for cleanup the record or file a resumed order names although
// it is past validation: a run that crashed after presenting it left it
// behind. Providers' CleanUp is idempotent, so a record that was removed
// already costs one lookup.
func (o *obtainer) adopt(st *DescribeCertificateStateOutput) {
	if o.in.OrderID == 0 {
		return
	}
	if c, err := o.challenge(st); err == nil {
		if _, err := c.provider(o.in); err == nil {
			o.presented = c
		}
	}
}

// challenge returns the record or file st asks for.
func (o *obtainer) challenge(st *DescribeCertificateStateOutput) (challenge, error) {
	kind := ValidateType(strings.ToUpper(st.ValidateType))
	if kind == "" {
		kind = o.in.validateType()
	}
	var (
		c   challenge
		err error
	)
	switch kind {
	case ValidateDNS:
		var r *DNSRecord
		if r, err = st.dnsRecord(o.in.Domain); err == nil {
			c = *r
		}
	case ValidateFile:
		var f *FileChallenge
		if f, err = st.fileChallenge(o.in.Domain); err == nil {
			c = *f
		}
	default:
		err = fmt.Errorf("the service asks for validation of type %q, which this client does not know", st.ValidateType)
	}
	var other *otherDomainError
	switch {
	case errors.As(err, &other) && o.in.OrderID != 0:
		return nil, errorf("alicert: Obtain: order %d: %w; is OrderID for another domain?", o.orderID, err)
	case err != nil:
		return nil, errorf("alicert: Obtain: order %d: %w", o.orderID, err)
	}
	return c, nil
}

// present publishes what st asks for. What it is asked to publish is marked
// for cleanup before Present runs, since a failed Present may have left
// part of it behind.
func (o *obtainer) present(ctx context.Context, st *DescribeCertificateStateOutput) error {
	c, err := o.challenge(st)
	if err != nil {
		return err
	}
	p, err := c.provider(o.in)
	if err != nil {
		return errorf("alicert: Obtain: order %d %w", o.orderID, err)
	}
	o.presented = c
	o.emit(c.event(StagePresenting))
	if err := p.present(ctx); err != nil {
		return errorf("alicert: Obtain: order %d: presenting %s: %w", o.orderID, c.describe(), err)
	}
	o.emit(c.event(StagePresented))
	return nil
}

// cleanUp removes what was presented. It runs under a context that ctx's
// cancellation does not end, so that a cancelled Obtain leaves nothing
// behind, bounded by CleanupTimeout.
func (o *obtainer) cleanUp(ctx context.Context) error {
	c := o.presented
	if c == nil {
		return nil
	}
	p, err := c.provider(o.in)
	if err != nil {
		return nil // never presented: present checks the provider first
	}
	timeout := o.in.CleanupTimeout
	if timeout == 0 {
		timeout = defaultCleanupTimeout
	}
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	defer cancel()
	o.emit(c.event(StageCleaningUp))
	if err = p.cleanUp(cctx); err != nil {
		err = errorf("alicert: Obtain: order %d: %w: remove %s by hand: %w", o.orderID, ErrCleanupFailed, c.describe(), err)
	}
	done := c.event(StageCleanedUp)
	done.Err = err
	o.emit(done)
	return err
}

// finish checks and parses the issued certificate. With in.Key the key is
// the caller's, and any key in the response is ignored.
func (o *obtainer) finish(st *DescribeCertificateStateOutput) (*ObtainOutput, error) {
	if o.in.Key == nil && strings.TrimSpace(st.PrivateKey) == "" {
		return nil, errorf("alicert: Obtain: order %d is issued but the response has no PrivateKey (request id %s)", o.orderID, st.RequestID)
	}
	chain, err := issuedChain(st, o.in.Domain, o.in.Key)
	if err != nil {
		return nil, errorf("alicert: Obtain: order %d: %w", o.orderID, err)
	}
	o.emit(ObtainEvent{Stage: StageIssued})
	out := &ObtainOutput{OrderID: o.orderID, CertID: issuedCertID(st.CertID), Certificate: st.Certificate, Chain: chain}
	if o.in.Key == nil {
		out.PrivateKey = st.PrivateKey
	}
	return out, nil
}

// issuedCertID parses DescribeCertificateState's CertId, a string on the
// wire; anything but a positive decimal id gives 0 (no id).
func issuedCertID(s string) int64 {
	id, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || id <= 0 {
		return 0
	}
	return id
}

// keyCSR returns a PEM CSR for domain, as its common name and only DNS
// name, signed with key. The CSR holds only the public key.
func keyCSR(key crypto.Signer, domain string) (string, error) {
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject:  pkix.Name{CommonName: domain},
		DNSNames: []string{domain},
	}, key)
	if err != nil {
		return "", err
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: pemCSR, Bytes: der})), nil
}
