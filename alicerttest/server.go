package alicerttest

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/alicert/alicert"
)

// Server is a fake CAS, KMS and Alibaba Cloud DNS endpoint listening on
// 127.0.0.1. Create one with NewServer and point an alicert.Client at it
// with ClientOptions. All its methods are safe for concurrent use.
type Server struct {
	// URL is the server's base URL, http://127.0.0.1:<port>. CAS, KMS and
	// Alidns are all served there; requests are routed by their Version and
	// Action parameters.
	URL string

	cfg    config
	ts     *httptest.Server
	client *http.Client
	ca     *testCA
	rsa    rsaKeyCache
	routes map[route]operation

	id, secret string    // the pair Credentials returns
	started    time.Time // the server's clock when NewServer made it
	account    string    // the 12-digit account id in KMS ARNs

	done      chan struct{} // closed by Close, to end stalled requests
	closeOnce sync.Once

	// validated is the hook the order state machine asks whether the
	// domain validation of an order is in place (see orders.go). Nil means
	// always. It is set once, in NewServer before the server starts, and
	// called with mu held, so it must not lock mu itself.
	validated func(o *order) bool

	// dns is the fake Alidns's records (see alidns.go); it has its own lock.
	dns *dnsState
	// kmsKeys is the fake KMS's asymmetric keys (see kms_keys.go); it has
	// its own lock.
	kmsKeys kmsKeyStore
	// deploy is the fake's cloud resources, contacts and deployment jobs
	// (see deployment.go); it has its own lock.
	deploy *deployState
	// life is the certificate inventory and quota (see lifecycle.go); it
	// has its own lock.
	life *lifecycleState
	// pca is the Private CA's CAs and certificates (see pca.go); it has
	// its own lock. pcaRootRSA and pcaSubRSA hold the RSA keys of its
	// roots and of its sub-CAs, apart from each other and from rsa.
	pca                   *pcaState
	pcaRootRSA, pcaSubRSA rsaKeyCache

	mu          sync.Mutex // guards everything below
	creds       map[string]credential
	nonces      map[string]struct{}
	requests    []Request
	faults      map[string][]*queuedFault
	orders      map[int64]*order
	lastOrderID int64
	csrs        map[int64]*csrRecord
	lastCsrID   int64
	kmsCerts    map[string]*kmsCertificate
}

// credential is one accepted AccessKey.
type credential struct {
	secret string
	token  string // "" when the key is not an STS key
}

// config is what the options set.
type config struct {
	now           func() time.Time
	immediate     bool
	readsPerState int
	verifyFail    map[string]bool // lower-case domains whose orders fail
	alidns        alidnsConfig    // the fake DNS's options (see alidns.go)
	deploy        deployConfig    // seeded resources and contacts (see deployment.go)
	tls           bool            // serve HTTPS (HTTP/2 and HTTP/1.1)
	// relativeRecordDomain gives RecordDomain relative to the zone.
	relativeRecordDomain bool
	// validateTypeWhileVerifying gives ValidateType in domain_verify only.
	validateTypeWhileVerifying bool
	certificates               int          // certificates to seed (see WithCertificates)
	privateCA                  bool         // seed a root and a sub-CA (see WithPrivateCA)
	listener                   net.Listener // where to serve (see WithListener); nil for a new one
	state                      *State       // the state to carry on from (see WithState)
}

// Option configures a Server.
type Option func(*config)

// WithImmediateIssue makes every order issued (state certificate) on its
// first DescribeCertificateState, so that a test needs one read.
func WithImmediateIssue() Option {
	return func(c *config) { c.immediate = true }
}

// WithReadsPerState sets how many reads of DescribeCertificateState an
// order spends in each state before it moves on, domain_verify -> process ->
// certificate. The default is 1: the first read sees domain_verify, the
// second process, the third certificate. Values below 1 count as 1.
func WithReadsPerState(n int) Option {
	return func(c *config) { c.readsPerState = max(n, 1) }
}

// WithVerifyFailure makes orders for domain (compared case-insensitively,
// "*.example.com" being its own domain) end in verify_fail instead of
// certificate. It may be given several times.
func WithVerifyFailure(domain string) Option {
	return func(c *config) {
		if c.verifyFail == nil {
			c.verifyFail = make(map[string]bool)
		}
		c.verifyFail[strings.ToLower(domain)] = true
	}
}

// WithClock sets the server's clock (default time.Now). It decides the
// 15-minute window of accepted request timestamps, the time recorded in
// Requests, and the validity of the certificates the server issues.
func WithClock(now func() time.Time) Option {
	return func(c *config) {
		if now != nil {
			c.now = now
		}
	}
}

// WithRelativeRecordDomain makes DescribeCertificateState give the
// RecordDomain of DNS validation as a host record relative to the zone, as
// the API reference's example does ("_dnsauth" for example.com,
// "_dnsauth.www" for www.example.com), instead of fully qualified
// ("_dnsauth.www.example.com"), so that a client is tested on completing
// the name. The zone is the longest one the fake DNS hosts (WithDNSZones)
// that holds the domain, and otherwise the domain's last two labels. The
// record the CA looks for (WithDNSCheck) is the same either way.
func WithRelativeRecordDomain() Option {
	return func(c *config) { c.relativeRecordDomain = true }
}

// WithValidateTypeOnlyWhileVerifying makes DescribeCertificateState give
// ValidateType only in the domain_verify state, as the API reference
// describes the field, instead of in every state; a client then cannot
// rely on it in process or certificate.
func WithValidateTypeOnlyWhileVerifying() Option {
	return func(c *config) { c.validateTypeWhileVerifying = true }
}

// WithTLS makes the server serve HTTPS, with HTTP/2 and HTTP/1.1, under a
// certificate for 127.0.0.1, ::1 and localhost that its test CA
// (CACertificate) issues, and that the client from Client (and so
// ClientOptions) trusts; URL then starts with https://. Other clients
// trust it by trusting CACertificate. It is what FaultTLSHandshake needs,
// and makes FaultStreamResetAfterAct an HTTP/2 stream reset.
func WithTLS() Option {
	return func(c *config) { c.tls = true }
}

// WithListener makes the server serve on l, a listener the caller opened
// (on a loopback address: the server is a test double, with no protection
// meant for a network), instead of on a new one on a free port of
// 127.0.0.1; URL then names l's address. Close closes l. alicert fake uses
// it to serve on the address it is given.
func WithListener(l net.Listener) Option {
	return func(c *config) { c.listener = l }
}

// NewServer starts a fake CAS (API versions 2020-04-07 and, for the
// Private CA, 2020-06-30), KMS (API version 2016-01-20) and Alibaba Cloud
// DNS (API version 2015-01-09) endpoint on
// 127.0.0.1 with a fresh AccessKey pair and a fresh test CA. Close it when
// done.
func NewServer(opts ...Option) *Server {
	cfg := config{now: time.Now, readsPerState: 1}
	for _, opt := range opts {
		if opt != nil {
			opt(&cfg)
		}
	}
	ca, err := newTestCA(cfg.now())
	if err != nil {
		// Only a broken crypto/rand gets here; httptest panics likewise.
		panic("alicerttest: creating the test CA: " + err.Error())
	}
	s := &Server{
		cfg:         cfg,
		ca:          ca,
		routes:      buildRoutes(apis()),
		id:          "LTAI" + randomAlnum(20),
		secret:      randomAlnum(30),
		started:     cfg.now(),
		account:     randomAccountID(),
		done:        make(chan struct{}),
		nonces:      make(map[string]struct{}),
		faults:      make(map[string][]*queuedFault),
		orders:      make(map[int64]*order),
		lastOrderID: firstOrderID,
		csrs:        make(map[int64]*csrRecord),
		lastCsrID:   firstCsrID,
		kmsCerts:    make(map[string]*kmsCertificate),
		dns:         newDNSState(cfg.alidns),
		deploy:      newDeployState(cfg.deploy),
		life:        newLifecycleState(),
		pca:         newPCAState(),
	}
	s.creds = map[string]credential{s.id: {secret: s.secret}}
	if cfg.state != nil {
		s.restore(cfg.state)
	}
	s.deploy.account(s.account, s.started, s.deployedCertOf)
	s.seedCertificates(cfg.certificates, cfg.now())
	if cfg.privateCA {
		if err := s.seedPrivateCA(cfg.now().UTC().Truncate(time.Second)); err != nil {
			panic("alicerttest: creating the private CA: " + err.Error())
		}
	}
	if cfg.alidns.check {
		s.validated = s.dnsValidated
	}
	s.ts = httptest.NewUnstartedServer(http.HandlerFunc(s.serveHTTP))
	if cfg.listener != nil {
		_ = s.ts.Listener.Close() // httptest's own, unused
		s.ts.Listener = cfg.listener
	}
	if cfg.tls {
		serving, err := s.ca.servingCertificate(cfg.now())
		if err != nil {
			panic("alicerttest: creating the server's TLS certificate: " + err.Error())
		}
		s.ts.EnableHTTP2 = true
		s.ts.TLS = &tls.Config{Certificates: []tls.Certificate{serving}, GetConfigForClient: s.handshake}
		s.ts.StartTLS()
	} else {
		s.ts.Start()
	}
	s.URL = s.ts.URL
	s.client = &http.Client{Transport: &faultTransport{s: s, next: s.ts.Client().Transport}}
	return s
}

// Close shuts the server down, ending stalled (FaultSlow) requests first,
// and blocks until every outstanding request has finished. It may be called
// more than once.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.done)
		s.ts.Close()
	})
}

// Credentials returns the AccessKey pair the server accepts. It is random
// and new for every server.
func (s *Server) Credentials() (id, secret string) { return s.id, s.secret }

// AddCredentials makes the server accept one more AccessKey pair. With a
// non-empty securityToken the key is an STS key: its requests must carry a
// SecurityToken parameter equal to it. Adding an id again replaces it.
func (s *Server) AddCredentials(id, secret, securityToken string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.creds[id] = credential{secret: secret, token: securityToken}
}

// Client returns an HTTP client for the server, to pass to
// alicert.WithHTTPClient. Its transport fails the requests a FaultDialError
// is queued for before they reach the server, the way a refused connection
// fails; it sends every other request on.
func (s *Server) Client() *http.Client { return s.client }

// ClientOptions returns the options that point an alicert.Client at the
// server: its AccessKey pair, URL as the CAS, KMS and Alibaba Cloud DNS
// endpoint, and Client as the HTTP client (so that FaultDialError works).
// The slice is new for every call; append options of your own, such as
// alicert.WithRetryDelay, and pass them all to alicert.NewClient.
func (s *Server) ClientOptions() []alicert.Option {
	return []alicert.Option{
		alicert.WithAccessKey(s.id, s.secret),
		alicert.WithCASEndpoint(s.URL),
		alicert.WithKMSEndpoint(s.URL),
		alicert.WithDNSEndpoint(s.URL),
		alicert.WithHTTPClient(s.client),
	}
}

// CACertificate returns the server's test CA: an ECDSA P-256 root,
// generated for this server, that issues every certificate the server
// hands out.
func (s *Server) CACertificate() *x509.Certificate { return s.ca.cert }

// CAPool returns a pool holding only CACertificate, for x509.VerifyOptions.
func (s *Server) CAPool() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(s.ca.cert)
	return pool
}

// SignCSR has the test CA sign a PEM certificate signing request, as a
// public CA would: the certificate gets the CSR's subject, names and public
// key, server and client authentication usages, and is valid from an hour
// before the server's clock for validity (90 days when validity <= 0). It
// returns the certificate PEM, without the CA certificate. Use it to play
// the CA for a CSR from KMS CreateCertificate or CAS CreateCsr.
func (s *Server) SignCSR(csrPEM string, validity time.Duration) (certPEM string, err error) {
	if validity <= 0 {
		validity = leafValidity
	}
	return s.ca.signCSR(csrPEM, s.cfg.now(), validity)
}

// Requests returns every request the server received, in arrival order,
// including those it rejected or failed with a fault, and those the
// Client transport failed with FaultDialError. Secrets are removed: the
// parameters secretParams lists (the request's signature and token, and the
// private keys an upload carries) are left out of Params, whether they came
// in the query or the body.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.requests))
	for i, r := range s.requests {
		r.Params = cloneValues(r.Params)
		out[i] = r
	}
	return out
}

// RequestCount returns how many of Requests are for action.
func (s *Server) RequestCount(action string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.requests {
		if r.Action == action {
			n++
		}
	}
	return n
}

// OrderCount returns how many certificate orders CreateCertificateRequest
// created, including those whose response a fault then spoilt.
func (s *Server) OrderCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.orders)
}

// OrderIDs returns the ids of the certificate orders CreateCertificateRequest
// created, oldest first, including those whose response a fault spoilt:
// what a user would find in the console after an unknown outcome.
func (s *Server) OrderIDs() []int64 {
	s.mu.Lock()
	ids := make([]int64, 0, len(s.orders))
	for id := range s.orders {
		ids = append(ids, id)
	}
	s.mu.Unlock()
	slices.Sort(ids) // ids grow with every order
	return ids
}

// CsrCount returns how many CSRs CreateCsr created.
func (s *Server) CsrCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.csrs)
}

// KMSCertificateCount returns how many certificates KMS CreateCertificate
// created.
func (s *Server) KMSCertificateCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.kmsCerts)
}

// Request is one request the server received, as Requests reports it.
type Request struct {
	// Action is the Action parameter ("" when it was missing).
	Action string
	// Version is the Version parameter.
	Version string
	// Params holds every parameter sent, from the query and the form body
	// alike, except Signature and SecurityToken, which are secrets. The
	// value of a parameter that carries a private key or another secret
	// (UploadUserCertificate's Key, SignPrivateKey and EncryptPrivateKey,
	// and PrivateKey, SecretKey and Password of the official request
	// models) is replaced by RedactedPrivateKey: under signature V3 it
	// travels in the URL, and the record is often printed by a failing
	// test. A Tags.N.Key is a tag's name and is kept.
	Params url.Values
	// Time is when the request arrived, by the server's clock.
	Time time.Time
	// Fault is the fault the request got, or 0.
	Fault FaultKind
}

// newRequest makes the log entry of a request, without its secrets.
func newRequest(params url.Values, now time.Time) Request {
	r := Request{
		Action:  params.Get("Action"),
		Version: params.Get("Version"),
		Params:  cloneValues(params),
		Time:    now,
	}
	r.Params.Del("Signature")
	r.Params.Del("SecurityToken")
	for _, name := range withheldParams {
		if _, ok := r.Params[name]; ok {
			r.Params[name] = []string{RedactedPrivateKey}
		}
	}
	return r
}

// RedactedPrivateKey stands in Request.Params for a private key, or
// another secret, that was sent.
const RedactedPrivateKey = "[private key withheld]"

// withheldParams are the parameters, of every operation, that carry a
// private key or another secret: the private keys of UploadUserCertificate
// (its model's Key, EncryptPrivateKey and SignPrivateKey), and the other
// secret fields of the official request models (PrivateKey, SecretKey,
// Password), should a client send them.
var withheldParams = [...]string{"Key", "SignPrivateKey", "EncryptPrivateKey", "PrivateKey", "SecretKey", "Password"}

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}
