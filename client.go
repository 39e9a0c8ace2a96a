package alicert

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"
)

// Version is this library's version, sent in the User-Agent header.
const Version = "0.1.0"

const (
	casAPIVersion = "2020-04-07"
	// pcaAPIVersion is the Private CA's API on the CAS host.
	pcaAPIVersion = "2020-06-30"
	kmsAPIVersion = "2016-01-20"
	// alidnsAPIVersion is Alibaba Cloud DNS, used by AlidnsProvider.
	alidnsAPIVersion = "2015-01-09"

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
	// PCA is the Private CA of Certificate Management Service, API version
	// 2020-06-30, on the CAS host.
	PCA *PCAService

	cfg       *config // behind a pointer: %+v of a struct holding a Client prints no option
	creds     *credentialSource
	endpoints [apiCount]endpoint
	signer    signer        // the algorithm the options chose
	encoders  *encoderCache // each input type's parameter encoder, built once
	signing   *sync.Pool    // *signScratch, reused between signings
}

// api names a service the call path can reach.
type api int

const (
	apiCAS api = iota
	apiKMS
	apiAlidns
	apiPCA // the CAS host, API version 2020-06-30
	apiCount
)

// CASService holds the Certificate Management Service operations. Get it from
// Client.CAS.
type CASService struct{ client *Client }

// KMSService holds the KMS operations: certificates whose key stays in KMS,
// and asymmetric keys that sign (see KMSSigner). Get it from Client.KMS.
type KMSService struct{ client *Client }

// endpoint is one service's resolved base URL and API version.
type endpoint struct {
	url     string
	host    string // the URL's host[:port], which signature V3 signs
	version string
}

// NewClient returns a Client configured by opts. Without a credentials
// option it uses credentials-go's default chain (environment variables,
// OIDC, CLI profile, credentials file, ECS RAM role, ...), created on the
// first call so that NewClient works offline.
//
// It fails on a bad option: an empty key id or secret, a malformed or
// non-HTTPS endpoint, a bad region, attempts or a pool size below 1, or a
// negative delay.
func NewClient(opts ...Option) (*Client, error) {
	cfg := config{
		region:         defaultRegion,
		maxAttempts:    defaultMaxAttempts,
		maxIdlePerHost: defaultMaxIdleConnsPerHost,
		retryBase:      defaultRetryBase,
		retryMax:       defaultRetryMax,
		now:            nowUTC,
		nonce:          newNonce,
		sleep:          sleepCtx,
	}
	for _, opt := range opts {
		if opt != nil {
			opt(&cfg)
		}
	}
	c := &Client{cfg: &cfg, encoders: new(encoderCache), signing: new(sync.Pool)}
	if err := c.init(); err != nil {
		return nil, err
	}
	c.CAS = &CASService{client: c}
	c.KMS = &KMSService{client: c}
	c.DNS = &DNSService{client: c}
	c.PCA = &PCAService{client: c}
	return c, nil
}

// init validates cfg and resolves endpoints, credentials and transport,
// reporting every bad option at once.
func (c *Client) init() error {
	var problems []string
	cfg := c.cfg
	if err := checkRegion(cfg.region); err != nil {
		problems = append(problems, err.Error())
	}
	creds, err := newCredentialSource(cfg)
	if err != nil {
		problems = append(problems, err.Error())
	}
	c.creds = creds
	// The credential source holds them now: the options keep no secret.
	cfg.accessKeyID, cfg.accessSecret, cfg.stsToken, cfg.provider = "", "", "", nil
	if c.signer = newSigner(cfg.signatureAlgorithm); c.signer == nil {
		problems = append(problems, fmt.Sprintf("WithSignatureAlgorithm: %v is not an algorithm this client knows", cfg.signatureAlgorithm))
	}
	if cfg.maxAttempts < 1 {
		problems = append(problems, fmt.Sprintf("WithMaxAttempts: %d attempts; it must be at least 1", cfg.maxAttempts))
	}
	if cfg.retryBase < 0 || cfg.retryMax < 0 {
		problems = append(problems, "WithRetryDelay: delays must not be negative")
	}
	if cfg.maxIdlePerHost < 1 {
		problems = append(problems, fmt.Sprintf("WithMaxIdleConnsPerHost: %d connections; it must be at least 1", cfg.maxIdlePerHost))
	}
	if cfg.retryMax < cfg.retryBase {
		cfg.retryMax = cfg.retryBase
	}
	casURL, kmsURL, alidnsURL := defaultEndpoints(cfg.region)
	c.endpoints[apiCAS].version = casAPIVersion
	c.endpoints[apiKMS].version = kmsAPIVersion
	c.endpoints[apiAlidns].version = alidnsAPIVersion
	for _, e := range []struct {
		option, env, given, fallback string
		dst                          *endpoint
	}{
		{"WithCASEndpoint", EnvCASEndpoint, cfg.casEndpoint, casURL, &c.endpoints[apiCAS]},
		{"WithKMSEndpoint", EnvKMSEndpoint, cfg.kmsEndpoint, kmsURL, &c.endpoints[apiKMS]},
		{"WithDNSEndpoint", EnvDNSEndpoint, cfg.dnsEndpoint, alidnsURL, &c.endpoints[apiAlidns]},
	} {
		raw, source := e.given, e.option
		if raw == "" {
			raw, source = os.Getenv(e.env), e.env
		}
		if raw == "" {
			raw = e.fallback
		}
		u, err := checkEndpoint(raw, cfg.insecureHTTP)
		if err != nil {
			problems = append(problems, source+": "+err.Error())
			continue
		}
		e.dst.url, e.dst.host = u.String(), u.Host
	}
	// The Private CA is served on the CAS host: the cas-20200630 client's
	// endpoint map is cas-20200407's, entry for entry, and both use the
	// regional rule elsewhere. WithCASEndpoint and EnvCASEndpoint move both.
	c.endpoints[apiPCA] = c.endpoints[apiCAS]
	c.endpoints[apiPCA].version = pcaAPIVersion
	if cfg.httpClient == nil {
		cfg.httpClient = newHTTPClient(max(cfg.maxIdlePerHost, 1), cfg.signatureAlgorithm == SignatureACS3HMACSHA256)
		cfg.ownTransport, _ = cfg.httpClient.Transport.(*http.Transport)
	}
	cfg.httpClient = withoutRedirects(cfg.httpClient)
	if len(problems) > 0 {
		return errors.New("alicert: NewClient: " + strings.Join(problems, "; "))
	}
	return nil
}

// Close releases the idle connections of the transport the client created
// itself, and their goroutines, at once rather than after 90 seconds idle.
// It never closes those of an http.Client given with WithHTTPClient, which
// stay the caller's. Calling it is optional: a client shared for the life of
// the program, the recommended use, never needs it; it suits programs that
// make short-lived clients. The client stays usable (a later call opens a
// new connection); calling Close twice, or on a nil Client, is harmless. It
// returns nil.
func (c *Client) Close() error {
	if c == nil || c.cfg == nil || c.cfg.ownTransport == nil {
		return nil
	}
	c.cfg.ownTransport.CloseIdleConnections()
	return nil
}

// String describes the client without its credentials. A nil or zero
// Client describes itself as such rather than panic.
func (c *Client) String() string {
	if c == nil || c.cfg == nil {
		return "alicert.Client(nil)"
	}
	return fmt.Sprintf("alicert.Client{Region: %q, CAS: %q, KMS: %q, Credentials: %s}",
		c.cfg.region, c.endpoints[apiCAS].url, c.endpoints[apiKMS].url, c.creds.name())
}

// GoString is String, so that %#v shows no secret either.
func (c *Client) GoString() string { return c.String() }

// Format writes String whatever the verb: %d or %x of a struct would print
// its fields. (A Client value copied out of its pointer holds its options
// and credentials behind pointers, so even its default format shows none.)
func (c *Client) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, c.String()) }

// String describes the service without its client's credentials.
func (s *CASService) String() string { return describeService("CASService", s.owner(), apiCAS) }

// GoString is String, so that %#v shows no secret either.
func (s *CASService) GoString() string { return s.String() }

// Format writes String whatever the verb, as Client.Format does.
func (s *CASService) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, s.String()) }

// owner is the service's client, or nil for a nil service.
func (s *CASService) owner() *Client {
	if s == nil {
		return nil
	}
	return s.client
}

// String describes the service without its client's credentials.
func (s *KMSService) String() string { return describeService("KMSService", s.owner(), apiKMS) }

// GoString is String, so that %#v shows no secret either.
func (s *KMSService) GoString() string { return s.String() }

// Format writes String whatever the verb, as Client.Format does.
func (s *KMSService) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, s.String()) }

// owner is the service's client, or nil for a nil service.
func (s *KMSService) owner() *Client {
	if s == nil {
		return nil
	}
	return s.client
}

// describeService is the String of every service type: its name and
// endpoint, never the client's credentials.
func describeService(name string, c *Client, a api) string {
	if c == nil || c.cfg == nil {
		return "alicert." + name + "{}"
	}
	return "alicert." + name + "{" + c.endpoints[a].url + "}"
}

// PCAService holds the Private CA operations (CAS API version 2020-06-30):
// root and subordinate CAs, and certificates they sign from a CSR in one
// synchronous call. Get it from Client.PCA; it uses the CAS endpoint
// (WithCASEndpoint, EnvCASEndpoint) and the client's credentials and
// retries. SignCSR does the common thing in one call.
type PCAService struct{ client *Client }

// String describes the service without its client's credentials.
func (s *PCAService) String() string { return describeService("PCAService", s.owner(), apiPCA) }

// GoString is String, so that %#v shows no secret either.
func (s *PCAService) GoString() string { return s.String() }

// Format writes String whatever the verb, as Client.Format does.
func (s *PCAService) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, s.String()) }

// owner is the service's client, or nil for a nil service.
func (s *PCAService) owner() *Client {
	if s == nil {
		return nil
	}
	return s.client
}

// DNSService holds the Alibaba Cloud DNS (Alidns, API version 2015-01-09)
// operations that domain validation needs. Get it from Client.DNS; it uses
// the client's credentials, retries and endpoint rules (WithDNSEndpoint).
type DNSService struct{ client *Client }

// String describes the service without its client's credentials.
func (s *DNSService) String() string { return describeService("DNSService", s.owner(), apiAlidns) }

// GoString is String, so that %#v shows no secret either.
func (s *DNSService) GoString() string { return s.String() }

// Format writes String whatever the verb, as Client.Format does.
func (s *DNSService) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, s.String()) }

// owner is the service's client, or nil for a nil service.
func (s *DNSService) owner() *Client {
	if s == nil {
		return nil
	}
	return s.client
}
