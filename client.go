// Package alicert is a typed client for the Alibaba Cloud certificate APIs:
// Certificate Management Service (CAS, API version 2020-04-07) for DV
// certificate orders and server-side CSRs, KMS (API version 2016-01-20) for
// certificates whose private key stays in KMS, and the Alibaba Cloud DNS
// (Alidns) records that domain validation needs.
//
// Every call takes a context and an *XxxInput, validates it before anything
// is sent, signs it (RPC signature version 1.0, HMAC-SHA1) with credentials
// fetched for each attempt, sends its parameters in a POST form body (never
// in the URL), and decodes the response into an *XxxOutput.
//
// Retries: every operation is retried when the service provably did not
// process the call (throttling, or a connection that was never
// established); reads (Describe*, Get*) also on 5xx and on network errors
// after the request was written. Creates and uploads whose outcome is
// unknown are never retried (see ErrOutcomeUnknown). Every attempt is signed
// afresh, with a new nonce and timestamp.
//
// Errors are typed: *APIError for responses from the service, *ValidationError
// for bad input. Use errors.As and errors.Is to inspect them.
//
// The alicerttest package provides an in-process fake of the service for
// tests and examples.
package alicert

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/alicert/alicert/internal/redact"
	"github.com/alicert/alicert/internal/signature"
	"github.com/aliyun/credentials-go/credentials/providers"
)

// Version is this library's version, sent in the User-Agent header.
const Version = "0.1.0"

const (
	casAPIVersion = "2020-04-07"
	kmsAPIVersion = "2016-01-20"
	// alidnsAPIVersion is Alibaba Cloud DNS, used by AlidnsProvider.
	alidnsAPIVersion = "2015-01-09"
	// alidnsEndpoint is the one public Alidns endpoint the API reference
	// documents for every region.
	alidnsEndpoint = "https://alidns.aliyuncs.com"

	defaultRegion      = "cn-hangzhou"
	defaultMaxAttempts = 3
	defaultRetryBase   = 200 * time.Millisecond
	defaultRetryMax    = 5 * time.Second

	// maxResponseBytes bounds what is read of a response. A certificate with
	// its chain and key is a few KiB; anything near this is not the service.
	maxResponseBytes = 1 << 20

	userAgent = "alicert/" + Version + " (+https://github.com/alicert/alicert)"
)

// Client calls the Alibaba Cloud certificate APIs. It is safe for concurrent
// use by multiple goroutines; create one and share it.
type Client struct {
	// CAS is Certificate Management Service, API version 2020-04-07.
	CAS *CASService
	// KMS is Key Management Service, API version 2016-01-20.
	KMS *KMSService
	// DNS is Alibaba Cloud DNS (Alidns), API version 2015-01-09, used to
	// publish domain validation records.
	DNS *DNSService

	cfg       config
	creds     *credentialSource
	endpoints [apiCount]endpoint
	encoders  *encoderCache // each input type's parameter encoder, built once
	signing   *sync.Pool    // *signScratch, reused between signings
}

// api names a service the call path can reach.
type api int

const (
	apiCAS api = iota
	apiKMS
	apiAlidns
	apiCount
)

// CASService holds the Certificate Management Service operations. Get it from
// Client.CAS.
type CASService struct{ client *Client }

// KMSService holds the KMS certificate operations. Get it from Client.KMS.
type KMSService struct{ client *Client }

// endpoint is one service's resolved base URL and API version.
type endpoint struct {
	url     string
	version string
}

// config is what the options set. It is copied into the Client and never
// changed after NewClient returns.
type config struct {
	credKind     credKind
	provider     providers.CredentialsProvider
	accessKeyID  string
	accessSecret string
	stsToken     string

	region       string
	casEndpoint  string
	kmsEndpoint  string
	dnsEndpoint  string
	httpClient   *http.Client
	maxAttempts  int
	retryBase    time.Duration
	retryMax     time.Duration
	logger       *slog.Logger
	insecureHTTP bool

	// Seams for tests of the exact wire form: a fixed clock and nonce.
	now   func() time.Time
	nonce func() string
	// sleep waits for d or until ctx ends; replaced in tests.
	sleep func(ctx context.Context, d time.Duration) error
}

type credKind int

const (
	credDefault credKind = iota
	credProvider
	credAccessKey
	credSTS
)

// Option configures a Client. Options are applied in order; when two set the
// same thing, the last one wins.
type Option func(*config)

// WithCredentials makes the client ask p for credentials on every attempt. Any
// provider from github.com/aliyun/credentials-go/credentials/providers works;
// providers cache and refresh STS credentials themselves. Calls to p are
// serialised, because those providers are not documented as safe for
// concurrent use.
func WithCredentials(p providers.CredentialsProvider) Option {
	return func(c *config) { c.credKind, c.provider = credProvider, p }
}

// WithAccessKey uses a static AccessKey pair. Empty values make NewClient
// fail; they never fall back to the environment.
func WithAccessKey(id, secret string) Option {
	return func(c *config) {
		c.credKind, c.accessKeyID, c.accessSecret, c.stsToken = credAccessKey, id, secret, ""
	}
}

// WithSTSToken uses static STS credentials and sends the token as the
// SecurityToken parameter. Empty values make NewClient fail.
func WithSTSToken(id, secret, token string) Option {
	return func(c *config) {
		c.credKind, c.accessKeyID, c.accessSecret, c.stsToken = credSTS, id, secret, token
	}
}

// WithRegion sets the region id (default "cn-hangzhou"), which picks the
// default endpoints: CAS is served from https://cas.aliyuncs.com for mainland
// China regions and https://cas.ap-southeast-1.aliyuncs.com for the others;
// KMS from https://kms.<region>.aliyuncs.com.
func WithRegion(id string) Option {
	return func(c *config) { c.region = id }
}

// WithCASEndpoint overrides the CAS endpoint, for example with the URL of an
// alicerttest.Server. Plain http:// is allowed only for loopback hosts unless
// WithInsecureHTTP is also given.
func WithCASEndpoint(baseURL string) Option {
	return func(c *config) { c.casEndpoint = baseURL }
}

// WithKMSEndpoint overrides the KMS endpoint, with the same rules as
// WithCASEndpoint.
func WithKMSEndpoint(baseURL string) Option {
	return func(c *config) { c.kmsEndpoint = baseURL }
}

// WithDNSEndpoint overrides the Alibaba Cloud DNS (Alidns) endpoint, default
// https://alidns.aliyuncs.com, with the same rules as WithCASEndpoint.
func WithDNSEndpoint(baseURL string) Option {
	return func(c *config) { c.dnsEndpoint = baseURL }
}

// WithHTTPClient sets the HTTP client; httpmock and other transports plug in
// here. Without it, the client uses its own transport with dial, TLS
// handshake and response header timeouts and TLS 1.2 at least.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *config) { c.httpClient = hc }
}

// WithMaxAttempts sets the attempts per call, the first included (default 3).
// 1 turns retries off; less than 1 makes NewClient fail.
func WithMaxAttempts(n int) Option {
	return func(c *config) { c.maxAttempts = n }
}

// WithRetryDelay sets the backoff between attempts: exponential from base,
// capped at max (raised to base if lower), with jitter. Defaults: 200ms and
// 5s.
func WithRetryDelay(base, max time.Duration) Option {
	return func(c *config) { c.retryBase, c.retryMax = base, max }
}

// WithLogger logs each attempt at debug level: action, attempt, HTTP status,
// request id, duration and error. Secrets, signatures and parameters are
// never logged.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) { c.logger = l }
}

// WithInsecureHTTP allows http:// endpoints on hosts other than loopback.
// Parameters and signatures then cross the network in clear text; use it only
// for a trusted proxy or test network.
func WithInsecureHTTP() Option {
	return func(c *config) { c.insecureHTTP = true }
}

// NewClient returns a Client configured by opts. Without a credentials
// option it uses credentials-go's default chain (environment variables,
// OIDC, CLI profile, credentials file, ECS RAM role, ...), created on the
// first call so that NewClient works offline.
//
// It fails on a bad option: an empty key id or secret, a malformed or
// non-HTTPS endpoint, a bad region, attempts below 1, or a negative delay.
func NewClient(opts ...Option) (*Client, error) {
	cfg := config{
		region:      defaultRegion,
		maxAttempts: defaultMaxAttempts,
		retryBase:   defaultRetryBase,
		retryMax:    defaultRetryMax,
		now:         nowUTC,
		nonce:       newNonce,
		sleep:       sleepCtx,
	}
	for _, opt := range opts {
		if opt != nil {
			opt(&cfg)
		}
	}
	c := &Client{cfg: cfg, encoders: new(encoderCache), signing: new(sync.Pool)}
	if err := c.init(); err != nil {
		return nil, err
	}
	c.CAS = &CASService{client: c}
	c.KMS = &KMSService{client: c}
	c.DNS = &DNSService{client: c}
	return c, nil
}

// init validates cfg and resolves endpoints, credentials and transport,
// reporting every bad option at once.
func (c *Client) init() error {
	var problems []string
	cfg := &c.cfg
	if err := checkRegion(cfg.region); err != nil {
		problems = append(problems, err.Error())
	}
	creds, err := newCredentialSource(cfg)
	if err != nil {
		problems = append(problems, err.Error())
	}
	c.creds = creds
	if cfg.maxAttempts < 1 {
		problems = append(problems, fmt.Sprintf("WithMaxAttempts: %d attempts; it must be at least 1", cfg.maxAttempts))
	}
	if cfg.retryBase < 0 || cfg.retryMax < 0 {
		problems = append(problems, "WithRetryDelay: delays must not be negative")
	}
	if cfg.retryMax < cfg.retryBase {
		cfg.retryMax = cfg.retryBase
	}
	casURL, kmsURL := defaultEndpoints(cfg.region)
	c.endpoints[apiCAS].version = casAPIVersion
	c.endpoints[apiKMS].version = kmsAPIVersion
	c.endpoints[apiAlidns].version = alidnsAPIVersion
	for _, e := range []struct {
		option, given, fallback string
		dst                     *string
	}{
		{"WithCASEndpoint", cfg.casEndpoint, casURL, &c.endpoints[apiCAS].url},
		{"WithKMSEndpoint", cfg.kmsEndpoint, kmsURL, &c.endpoints[apiKMS].url},
		{"WithDNSEndpoint", cfg.dnsEndpoint, alidnsEndpoint, &c.endpoints[apiAlidns].url},
	} {
		raw := e.given
		if raw == "" {
			raw = e.fallback
		}
		u, err := checkEndpoint(raw, cfg.insecureHTTP)
		if err != nil {
			problems = append(problems, e.option+": "+err.Error())
		}
		*e.dst = u
	}
	if cfg.httpClient == nil {
		cfg.httpClient = defaultHTTPClient()
	}
	cfg.httpClient = withoutRedirects(cfg.httpClient)
	if len(problems) > 0 {
		return errors.New("alicert: NewClient: " + strings.Join(problems, "; "))
	}
	return nil
}

// String describes the client without its credentials. Its receiver is a
// value, so that a copy of the Client (*c) formats without secrets too.
func (c Client) String() string {
	return fmt.Sprintf("alicert.Client{Region: %q, CAS: %q, KMS: %q, Credentials: %s}",
		c.cfg.region, c.endpoints[apiCAS].url, c.endpoints[apiKMS].url, c.creds.name())
}

// GoString is String, so that %#v shows no secret either.
func (c Client) GoString() string { return c.String() }

// Format writes String whatever the verb: %d or %x of a struct would print
// its fields, credentials included.
func (c Client) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, c.String()) }

// String describes the service without its client's credentials.
func (s CASService) String() string { return describeService("CASService", s.client, apiCAS) }

// GoString is String, so that %#v shows no secret either.
func (s CASService) GoString() string { return s.String() }

// Format writes String whatever the verb, as Client.Format does.
func (s CASService) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, s.String()) }

// String describes the service without its client's credentials.
func (s KMSService) String() string { return describeService("KMSService", s.client, apiKMS) }

// GoString is String, so that %#v shows no secret either.
func (s KMSService) GoString() string { return s.String() }

// Format writes String whatever the verb, as Client.Format does.
func (s KMSService) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, s.String()) }

// describeService is the String of every service type: its name and
// endpoint, never the client's credentials.
func describeService(name string, c *Client, a api) string {
	if c == nil {
		return "alicert." + name + "{}"
	}
	return "alicert." + name + "{" + c.endpoints[a].url + "}"
}

func checkRegion(r string) error {
	if r == "" {
		return errors.New("WithRegion: the region id is empty")
	}
	for i := 0; i < len(r); i++ {
		c := r[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return fmt.Errorf("WithRegion: %q is not a region id (lower-case letters, digits and '-', like cn-hangzhou)", r)
		}
	}
	return nil
}

// defaultEndpoints returns the CAS and KMS endpoints of a region. CAS serves
// DV certificates from Hangzhou for mainland China and from Singapore for the
// rest of the world.
func defaultEndpoints(region string) (cas, kms string) {
	cas = "https://cas.ap-southeast-1.aliyuncs.com"
	if strings.HasPrefix(region, "cn-") && region != "cn-hongkong" {
		cas = "https://cas.aliyuncs.com"
	}
	return cas, "https://kms." + region + ".aliyuncs.com"
}

// checkEndpoint parses raw and returns the URL to POST to.
func checkEndpoint(raw string, insecureHTTP bool) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		// Not quoted: a URL that does not parse may still hold a password.
		return "", errors.New("the endpoint is not a URL (want https://host[:port][/path])")
	}
	shown := u.Redacted() // raw may hold a password
	switch {
	case u.Scheme != "https" && u.Scheme != "http":
		return "", fmt.Errorf("%q: the scheme must be https (or http for loopback)", shown)
	case u.Host == "":
		return "", fmt.Errorf("%q has no host", shown)
	case u.User != nil:
		return "", errors.New("the endpoint URL must not carry user information")
	case u.RawQuery != "" || u.Fragment != "":
		return "", fmt.Errorf("%q: the endpoint URL must not have a query or fragment", u.Redacted())
	case u.Scheme == "http" && !insecureHTTP && !isLoopback(u.Hostname()):
		return "", fmt.Errorf("%q: http:// sends requests in clear text; use https, a loopback host, or WithInsecureHTTP()", shown)
	}
	if u.Path == "" {
		u.Path = "/"
	}
	return u.String(), nil
}

func isLoopback(host string) bool {
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// defaultHTTPClient bounds every phase of a request so that a renewal job
// never hangs on a dead peer, and refuses TLS below 1.2.
func defaultHTTPClient() *http.Client {
	t, ok := http.DefaultTransport.(*http.Transport)
	if ok {
		t = t.Clone()
	} else { // replaced by a program (tracing wrappers do): start afresh
		t = &http.Transport{Proxy: http.ProxyFromEnvironment, ForceAttemptHTTP2: true,
			MaxIdleConns: 100, IdleConnTimeout: 90 * time.Second, ExpectContinueTimeout: time.Second}
	}
	t.DialContext = (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	t.TLSHandshakeTimeout = 10 * time.Second
	t.ResponseHeaderTimeout = 30 * time.Second
	t.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	t.MaxIdleConnsPerHost = 16
	return &http.Client{Transport: t, Timeout: 2 * time.Minute}
}

// withoutRedirects returns a copy of hc that never follows a redirect: a
// 307 or 308 would post the signed body, security token included, again to
// whatever host the Location names, past the endpoint checks. The RPC API
// never redirects, so a 3xx becomes an *APIError. The caller's client is
// not changed.
func withoutRedirects(hc *http.Client) *http.Client {
	c := *hc
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

// credentialSource hands out credentials for one attempt.
type credentialSource struct {
	mu       sync.Mutex // serialises calls to provider, which may not be goroutine-safe
	provider providers.CredentialsProvider
	static   *providers.Credentials // immutable; no lock needed
	lazy     bool                   // provider is created on first use (default chain)
}

func newCredentialSource(cfg *config) (*credentialSource, error) {
	switch cfg.credKind {
	case credProvider:
		if cfg.provider == nil {
			return &credentialSource{lazy: true}, errors.New("WithCredentials: the provider is nil")
		}
		return &credentialSource{provider: cfg.provider}, nil
	case credAccessKey, credSTS:
		name := "WithAccessKey"
		if cfg.credKind == credSTS {
			name = "WithSTSToken"
		}
		var missing []string
		if cfg.accessKeyID == "" {
			missing = append(missing, "key id")
		}
		if cfg.accessSecret == "" {
			missing = append(missing, "secret")
		}
		if cfg.credKind == credSTS && cfg.stsToken == "" {
			missing = append(missing, "security token")
		}
		src := &credentialSource{static: &providers.Credentials{
			AccessKeyId: cfg.accessKeyID, AccessKeySecret: cfg.accessSecret,
			SecurityToken: cfg.stsToken, ProviderName: "static",
		}}
		if len(missing) > 0 {
			return src, fmt.Errorf("%s: empty %s (empty values never fall back to the environment)", name, strings.Join(missing, " and "))
		}
		return src, nil
	default:
		return &credentialSource{lazy: true}, nil
	}
}

// get returns the credentials for one attempt.
func (s *credentialSource) get() (*providers.Credentials, error) {
	if s.static != nil {
		return s.static, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.provider == nil && s.lazy {
		s.provider = providers.NewDefaultCredentialsProvider()
	}
	cred, err := s.provider.GetCredentials()
	if err != nil {
		if s.lazy {
			// credentials-go's default chain, once every source failed, keeps
			// asking only the last one it tried (often the ECS role); a new
			// chain tries the environment and files again next time.
			s.provider = nil
		}
		return nil, err
	}
	if cred == nil || cred.AccessKeyId == "" || cred.AccessKeySecret == "" {
		return nil, errors.New("the provider returned an empty key id or secret")
	}
	return cred, nil
}

// name says where credentials come from, never what they are.
func (s *credentialSource) name() string {
	switch {
	case s == nil:
		return "none"
	case s.static != nil:
		return "static"
	case s.lazy:
		return "default"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.provider.GetProviderName()
}

// opKind decides what may be retried: a read can always be repeated; a create
// must not be repeated once the service may have acted on it.
type opKind int

const (
	opRead opKind = iota
	opCreate
)

// operation describes one API action for the call path.
type operation struct {
	action string
	api    api // the service that serves the action
	kind   opKind
	// unknownHint tells the user, after an unknown outcome, what may have
	// happened and how to check, for example "the order may have been
	// created; check with DescribeCertificateState or the console before
	// trying again".
	unknownHint string
}

// unknown wraps cause, from an attempt that may have reached the service, in
// the error that says the create's outcome is unknown.
func (op *operation) unknown(cause error) error {
	return &outcomeUnknownError{operation: op.action, hint: op.unknownHint, cause: cause}
}

// request is what every *XxxInput implements for the call path.
type request interface {
	validate() []FieldError
}

// extraEncoder is implemented by inputs with fields go-querystring cannot
// express on their own types (numbered lists, JSON values). It appends
// those parameters to params; their keys never repeat a url-tagged field's.
type extraEncoder interface {
	encodeExtra(params []signature.Param) ([]signature.Param, error)
}

// idChecker is implemented by outputs that must carry an id (or, for a
// read, the field that gives it meaning): a 2xx response without it is no
// success.
type idChecker interface {
	missingID() string
}

// invoke is the one call path: validate, encode, then send with retries and
// decode into a new Out.
func invoke[Out any, In any, PIn interface {
	*In
	request
}](ctx context.Context, c *Client, op *operation, in PIn) (*Out, error) {
	if in == nil {
		in = new(In)
	}
	if problems := in.validate(); len(problems) > 0 {
		return nil, &ValidationError{Operation: op.action, Fields: problems}
	}
	params, err := c.encodeParams(in)
	if err != nil {
		return nil, fmt.Errorf("alicert: %s: encoding the input: %w", op.action, err)
	}
	out := new(Out)
	if err := c.send(ctx, op, params, out); err != nil {
		return nil, err
	}
	return out, nil
}

// attempt is the result of one HTTP exchange.
type attempt struct {
	status    int
	body      []byte
	requestID string
	token     string        // the security token sent, to scrub it from messages
	signed    signedRequest // what was sent: its signature is scrubbed from messages
	err       error         // transport or body read error
}

// failed reports a response with a non-2xx status.
func (a *attempt) failed() bool { return a.status < 200 || a.status > 299 }

// send runs the attempts of one call and decodes the final response into out.
func (c *Client) send(ctx context.Context, op *operation, params []signature.Param, out any) error {
	ep := c.endpoints[op.api]
	for n := 1; ; n++ {
		cred, err := c.creds.get()
		if err != nil {
			return &credentialsError{operation: op.action, provider: c.creds.name(), cause: err}
		}
		// Checked after the provider, which takes no ctx and may be slow (an
		// STS refresh): a call whose ctx ended by now is never sent, and so
		// never reported as a create of unknown outcome.
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("alicert: %s: %w", op.action, err)
		}
		start := time.Now()
		a := c.exchange(ctx, op, ep, params, cred)
		retry, err := c.classify(ctx, op, a, n, out)
		c.logAttempt(ctx, op, n, a, time.Since(start), err)
		if err == nil {
			return nil
		}
		if !retry || n >= c.cfg.maxAttempts {
			return err
		}
		if werr := c.cfg.sleep(ctx, c.backoff(n)); werr != nil {
			return fmt.Errorf("alicert: %s: gave up waiting to retry (%w) after: %w", op.action, werr, err)
		}
	}
}

// exchange signs and sends one attempt and reads its response.
func (c *Client) exchange(ctx context.Context, op *operation, ep endpoint, params []signature.Param, cred *providers.Credentials) attempt {
	signed := c.sign(op.action, ep.version, params, cred)
	a := attempt{token: cred.SecurityToken, signed: signed}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep.url, bytes.NewReader(signed.body))
	if err != nil {
		a.err = err
		return a
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", userAgent)
	resp, err := c.cfg.httpClient.Do(req)
	if err != nil {
		a.err = err
		return a
	}
	defer resp.Body.Close()
	a.status = resp.StatusCode
	a.body, a.err = readLimited(resp.Body, resp.ContentLength)
	// Canonical already, so that Get need not build the canonical key.
	a.requestID = resp.Header.Get("X-Acs-Request-Id")
	if a.requestID == "" && a.failed() {
		// A success carries the id in the JSON it decodes to; the body is
		// scanned for it only when the id must explain a failure.
		a.requestID = scanRequestID(a.body)
	}
	return a
}

var errBodyTooLarge = fmt.Errorf("the response body is larger than %d bytes", maxResponseBytes)

// readLimited reads a body of at most maxResponseBytes. size is its
// Content-Length, or -1: a body that states its size is read into one buffer
// of that size, and one that states a size over the limit is not read.
func readLimited(r io.Reader, size int64) ([]byte, error) {
	const limit = maxResponseBytes + 1 // one byte more tells "too large" from "just fits"
	if size > maxResponseBytes {
		return nil, errBodyTooLarge // said so up front: not worth reading
	}
	n := 1024
	if size >= 0 && size < limit {
		n = int(size) + 1 // +1: room to read EOF without growing
	}
	buf := make([]byte, 0, n)
	for len(buf) < limit {
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, min(cap(buf), limit-len(buf)))
		}
		m, err := r.Read(buf[len(buf):min(cap(buf), limit)])
		buf = buf[:len(buf)+m]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
	return nil, errBodyTooLarge
}

// classify turns one attempt into success (decoding into out), an error to
// retry, or a final error, following the retry rules in the package doc.
func (c *Client) classify(ctx context.Context, op *operation, a attempt, n int, out any) (retry bool, err error) {
	switch {
	case a.err != nil && a.status == 0:
		return c.classifyTransport(ctx, op, a, n)
	case a.err != nil:
		return c.classifyBodyError(ctx, op, a, n)
	case a.failed():
		return classifyAPIError(op, a)
	}
	return decodeSuccess(op, a, out)
}

// classifyTransport handles an attempt that got no response at all.
func (c *Client) classifyTransport(ctx context.Context, op *operation, a attempt, n int) (bool, error) {
	terr := &transportError{operation: op.action, attempts: n, cause: a.err}
	switch {
	case notSent(a.err):
		return ctx.Err() == nil, terr
	case op.kind == opCreate:
		return false, op.unknown(terr)
	default:
		return ctx.Err() == nil, terr
	}
}

// classifyBodyError handles a response whose body could not be read.
func (c *Client) classifyBodyError(ctx context.Context, op *operation, a attempt, n int) (bool, error) {
	if a.failed() {
		// The status classifies an error response (an *APIError, like
		// every non-2xx); the unreadable body only costs the message.
		apiErr := &APIError{Operation: op.action, StatusCode: a.status, RequestID: a.requestID,
			Message: "unreadable body: " + a.err.Error()}
		return classifyStatus(op, apiErr)
	}
	var err error = &responseError{operation: op.action, statusCode: a.status, requestID: a.requestID,
		problem: "reading the body", cause: a.err}
	readFailed := !errors.Is(a.err, errBodyTooLarge)
	if op.kind == opCreate {
		return false, op.unknown(err)
	}
	return readFailed && ctx.Err() == nil, err
}

// notSent reports whether err proves the request never left: the connection
// was not established (DNS failure, refused, dial timeout). Any other
// transport error may have happened after the request was written.
func notSent(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// classifyAPIError handles a non-2xx response.
func classifyAPIError(op *operation, a attempt) (bool, error) {
	return classifyStatus(op, parseAPIError(op, a))
}

// classifyStatus applies the retry rules to an error from the service:
// throttling is retried for every operation, a 5xx for reads only, and a
// 5xx on a create leaves its outcome unknown.
func classifyStatus(op *operation, apiErr *APIError) (bool, error) {
	switch {
	case apiErr.Throttled():
		return true, apiErr
	case apiErr.StatusCode >= 500 && op.kind == opCreate:
		return false, op.unknown(apiErr)
	case apiErr.StatusCode >= 500:
		return true, apiErr
	default:
		return false, apiErr
	}
}

// errorDocument is the service's JSON error body.
type errorDocument struct {
	RequestID string `json:"RequestId"`
	HostID    string `json:"HostId"`
	Code      string `json:"Code"`
	Message   string `json:"Message"`
	Recommend string `json:"Recommend"`
}

func parseAPIError(op *operation, a attempt) *APIError {
	e := &APIError{Operation: op.action, StatusCode: a.status, RequestID: a.requestID}
	sig := a.signed.sentSignature()
	var doc errorDocument
	if json.Unmarshal(a.body, &doc) == nil && doc.Code != "" {
		e.Code, e.HostID, e.Recommend = doc.Code, doc.HostID, doc.Recommend
		e.Message = scrubMessage(doc.Message, a.token, sig)
		if doc.RequestID != "" {
			e.RequestID = doc.RequestID
		}
		if e.Code == "SignatureDoesNotMatch" {
			// Compare with our string-to-sign scrubbed the same way as theirs.
			e.Message += explainSignature(e.Message, scrubMessage(a.signed.stringToSign(), a.token, sig))
		} else {
			e.Message += explain(e.Code)
		}
		return e
	}
	// A proxy's error page may echo the request, token and signature
	// included; excerpt scrubs what it keeps.
	e.Message = excerpt(a.body, func(s string) string { return scrubMessage(s, a.token, sig) })
	return e
}

// scrubMessage removes the attempt's secrets (security token, signature),
// raw or percent-encoded once or twice, and any private key from a service
// message: SignatureDoesNotMatch quotes the whole string-to-sign, and an
// error page may echo the request body.
func scrubMessage(msg string, secrets ...string) string {
	for _, secret := range secrets {
		if secret == "" {
			continue
		}
		enc := signature.Encode(secret)
		for _, s := range []string{signature.Encode(enc), enc, url.QueryEscape(secret), secret} {
			msg = strings.ReplaceAll(msg, s, redact.Placeholder)
		}
	}
	return redact.Text(msg)
}

// explainSignature says which side of a SignatureDoesNotMatch is likely
// wrong, from the string-to-sign the service quotes in msg and ours.
func explainSignature(msg, ourSTS string) string {
	switch theirs := serverStringToSign(msg); {
	case theirs == "":
		return " [alicert: check the AccessKey secret]"
	case theirs == ourSTS:
		return " [alicert: the service computed the same string-to-sign as this client, so the AccessKey secret is most likely wrong]"
	default:
		return " [alicert: the service's string-to-sign differs from this client's, so the request was changed on the way (a proxy?) or the endpoint is not an RPC endpoint]"
	}
}

// explain adds what the client knows about a few other error codes.
func explain(code string) string {
	switch code {
	case "InvalidTimeStamp.Expired":
		return " [alicert: the request Timestamp is outside the service's 15-minute window; check this machine's clock (NTP)]"
	case "SignatureNonceUsed":
		return " [alicert: every attempt uses a fresh random nonce, so a replay on the way is likely]"
	}
	return ""
}

// serverStringToSign extracts the string-to-sign quoted in a
// SignatureDoesNotMatch message ("... server string to sign is:POST&%2F&...").
func serverStringToSign(msg string) string {
	i := strings.LastIndex(msg, ":")
	if i < 0 {
		return ""
	}
	s := strings.TrimSpace(msg[i+1:])
	if !strings.Contains(s, "&%2F&") {
		return ""
	}
	return s
}

// excerpt returns a short, printable excerpt of a non-JSON body, with the
// part it keeps passed through scrub.
func excerpt(body []byte, scrub func(string) string) string {
	const limit = 200
	s := scrub(string(body[:min(len(body), 4*limit)]))
	var b strings.Builder
	space := false
	for _, r := range s {
		if b.Len() >= limit {
			b.WriteString("...")
			break
		}
		if r < 0x20 || r == 0x7f || r == '\uFFFD' || r == ' ' {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	if b.Len() == 0 {
		return "empty or unreadable body"
	}
	return b.String()
}

// scanRequestID finds "RequestId":"..." in a body that does not decode.
func scanRequestID(body []byte) string {
	const key = `"RequestId"`
	i := bytes.Index(body, []byte(key))
	if i < 0 {
		return ""
	}
	rest := bytes.TrimLeft(body[i+len(key):], " \t\r\n")
	if len(rest) == 0 || rest[0] != ':' {
		return ""
	}
	rest = bytes.TrimLeft(rest[1:], " \t\r\n")
	if len(rest) == 0 || rest[0] != '"' {
		return ""
	}
	end := bytes.IndexByte(rest[1:], '"')
	if end < 0 || end > 128 {
		return ""
	}
	id := string(rest[1 : 1+end])
	for _, r := range id {
		if !(r == '-' || r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z') {
			return ""
		}
	}
	return id
}

// decodeSuccess decodes a 2xx body into out. For a create, a body that does
// not decode, or lacks the id, leaves the outcome unknown. A 2xx that carries
// the service's error document is classified as that error.
func decodeSuccess(op *operation, a attempt, out any) (retry bool, err error) {
	if apiErr := errorIn2xx(op, a); apiErr != nil {
		return classifyStatus(op, apiErr)
	}
	var problem string
	var cause error
	if body := bytes.TrimLeft(a.body, " \t\r\n"); len(body) == 0 || body[0] != '{' {
		// json.Unmarshal accepts "null" and leaves out as it was: a zero
		// value must not pass for a success.
		problem = "the body is not a JSON object"
	} else if err := json.Unmarshal(a.body, out); err != nil {
		problem, cause = "the body is not the expected JSON", jsonProblem(err)
	} else if c, ok := out.(idChecker); ok {
		problem = c.missingID()
	}
	if problem == "" {
		return false, nil
	}
	requestID := a.requestID
	if requestID == "" {
		requestID = scanRequestID(a.body)
	}
	err = &responseError{operation: op.action, statusCode: a.status, requestID: requestID, problem: problem, cause: cause}
	if op.kind == opCreate {
		err = op.unknown(err)
	}
	return false, err
}

// errorIn2xx returns the service error a 2xx body may carry (a gateway can
// answer throttling with 200), or nil. The cheap byte check keeps the second
// decoding off the path of ordinary successes.
func errorIn2xx(op *operation, a attempt) *APIError {
	if !bytes.Contains(a.body, []byte(`"Code"`)) {
		return nil
	}
	var doc errorDocument
	if json.Unmarshal(a.body, &doc) != nil || doc.Code == "" || doc.Message == "" {
		return nil
	}
	switch strings.ToLower(doc.Code) {
	case "ok", "success", "200": // some APIs report success this way
		return nil
	}
	return parseAPIError(op, a)
}

// jsonProblem keeps what a JSON error says about the shape of the body,
// never the body's content (a 2xx body may hold a private key).
func jsonProblem(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Errorf("invalid JSON at byte %d", syn.Offset)
	case errors.As(err, &typ):
		return fmt.Errorf("field %s: a JSON %s does not fit %s", typ.Field, typ.Value, typ.Type)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("the JSON is truncated")
	}
	return errors.New("invalid JSON")
}

// backoff returns the wait before attempt n+1: exponential from the base,
// capped, with "equal jitter" (half fixed, half random) so that clients
// throttled together do not retry together.
func (c *Client) backoff(n int) time.Duration {
	d := c.cfg.retryBase
	for i := 1; i < n && d < c.cfg.retryMax; i++ {
		d *= 2
	}
	d = min(d, c.cfg.retryMax)
	if d <= 0 {
		return 0
	}
	half := d / 2
	return half + rand.N(d-half+1)
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// logAttempt writes one debug record per attempt: no parameters, no secrets.
func (c *Client) logAttempt(ctx context.Context, op *operation, n int, a attempt, d time.Duration, err error) {
	l := c.cfg.logger
	if l == nil || !l.Enabled(ctx, slog.LevelDebug) {
		return
	}
	requestID := a.requestID
	if requestID == "" {
		requestID = scanRequestID(a.body) // a success's id is in its body
	}
	attrs := []slog.Attr{
		slog.String("action", op.action),
		slog.Int("attempt", n),
		slog.Int("status", a.status),
		slog.String("request_id", requestID),
		slog.Duration("duration", d),
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	l.LogAttrs(ctx, slog.LevelDebug, "alicert attempt", attrs...)
}
