package alicert

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/aliyun/credentials-go/credentials/providers"
)

// config is what the options set. It is copied into the Client and never
// changed after NewClient returns.
type config struct {
	credKind     credKind
	provider     providers.CredentialsProvider
	accessKeyID  string
	accessSecret string
	stsToken     string

	region             string
	casEndpoint        string
	kmsEndpoint        string
	dnsEndpoint        string
	httpClient         *http.Client
	maxIdlePerHost     int
	maxAttempts        int
	retryBase          time.Duration
	retryMax           time.Duration
	logger             *slog.Logger
	insecureHTTP       bool
	signatureAlgorithm SignatureAlgorithm

	// ownTransport is the transport NewClient created, when no http.Client
	// was given: the one Close may release.
	ownTransport *http.Transport

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
// default endpoints, each the host the official generated client computes
// for the region (its endpoint map, then <product>.<region>.aliyuncs.com):
// CAS https://cas.aliyuncs.com for most regions (cn-hongkong, eu-west-1 and
// us-west-1 among them) and https://cas.<region>.aliyuncs.com for
// ap-southeast-1, ap-southeast-2, ap-northeast-1, ap-south-1, eu-central-1,
// me-central-1, me-east-1 and regions outside the map; KMS
// https://kms.<region>.aliyuncs.com; Alidns
// https://alidns.<region>.aliyuncs.com.
func WithRegion(id string) Option {
	return func(c *config) { c.region = id }
}

// The environment variables that point a client at other endpoints, such
// as those of a local fake (alicert fake prints them as export lines).
// NewClient reads each one when no With*Endpoint option sets that endpoint:
// an option always wins over the environment, and the environment over the
// region's default. Their values follow the rules of the options: a base
// URL, https://, or http:// for a loopback host (127.0.0.0/8, ::1,
// localhost) unless WithInsecureHTTP is given; a bad value makes NewClient
// fail, naming the variable.
const (
	EnvCASEndpoint = "ALICERT_CAS_ENDPOINT"
	EnvKMSEndpoint = "ALICERT_KMS_ENDPOINT"
	EnvDNSEndpoint = "ALICERT_DNS_ENDPOINT"
)

// WithCASEndpoint overrides the CAS endpoint, for example with the URL of an
// alicerttest.Server; it wins over ALICERT_CAS_ENDPOINT (EnvCASEndpoint).
// Plain http:// is allowed only for loopback hosts unless WithInsecureHTTP
// is also given.
func WithCASEndpoint(baseURL string) Option {
	return func(c *config) { c.casEndpoint = baseURL }
}

// WithKMSEndpoint overrides the KMS endpoint, with the same rules as
// WithCASEndpoint; it wins over ALICERT_KMS_ENDPOINT (EnvKMSEndpoint).
func WithKMSEndpoint(baseURL string) Option {
	return func(c *config) { c.kmsEndpoint = baseURL }
}

// WithDNSEndpoint overrides the Alibaba Cloud DNS (Alidns) endpoint, by
// default https://alidns.<region>.aliyuncs.com (see WithRegion), with the
// same rules as WithCASEndpoint; it wins over ALICERT_DNS_ENDPOINT
// (EnvDNSEndpoint).
func WithDNSEndpoint(baseURL string) Option {
	return func(c *config) { c.dnsEndpoint = baseURL }
}

// WithHTTPClient sets the HTTP client; httpmock and other transports plug in
// here. Without it, the client uses its own transport with dial, TLS
// handshake and response header timeouts, TLS 1.2 at least, HTTP/2 where the
// server offers it (HTTP/1.1 only with signature V3: see
// WithSignatureAlgorithm), and a pool sized by WithMaxIdleConnsPerHost. The
// caller's client stays the caller's: Client.Close leaves its connections
// alone, and with signature V3 its HTTP/2, if it speaks it, may re-send a
// create after a stream reset.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *config) { c.httpClient = hc }
}

// WithMaxIdleConnsPerHost sizes the pool of the client's own transport: the
// idle connections it keeps per host for the next call. The default, 1024,
// suits hundreds of concurrent calls; below 1 makes NewClient fail. A call
// that finds no idle connection opens one, with a TLS handshake, so a pool
// smaller than the number of concurrent calls closes and reopens
// connections at every burst. It has no effect on an http.Client given
// with WithHTTPClient, whose transport is the caller's to size.
func WithMaxIdleConnsPerHost(n int) Option {
	return func(c *config) { c.maxIdlePerHost = n }
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

// WithSignatureAlgorithm selects how requests are signed:
// SignatureHMACSHA1 (the default, RPC signature version 1.0), whose
// parameters travel in the POST form body, or SignatureACS3HMACSHA256
// (signature V3, which Alibaba Cloud recommends for new code), whose
// parameters travel in the URL's query with an empty body, as the official
// SDK sends them (the few its generated clients put in a body travel in a
// form body, as they do; see SignatureAlgorithm and SECURITY.md). With V3 the
// client's own transport speaks HTTP/1.1 only: HTTP/2 re-sends a request
// without a body by itself after some failures, and a create must never
// be sent twice.
func WithSignatureAlgorithm(a SignatureAlgorithm) Option {
	return func(c *config) { c.signatureAlgorithm = a }
}
