package alicert

import (
	"crypto/tls"
	"net"
	"net/http"
	"net/url"
	"time"
)

// defaultMaxIdleConnsPerHost is the idle connections the client's own
// transport keeps per host. A connection is kept only after it was needed,
// so a large pool costs nothing until calls run concurrently; a small one
// closes, at every burst above its size, connections that the next burst
// opens again with a TLS handshake (net/http's default of 2, or 16, made
// about half the calls of 200 concurrent callers pay a handshake).
const defaultMaxIdleConnsPerHost = 1024

// defaultHTTPClient is the client's own http.Client with the default pool.
func defaultHTTPClient() *http.Client { return newHTTPClient(defaultMaxIdleConnsPerHost, false) }

// newHTTPClient bounds every phase of a request so that a renewal job never
// hangs on a dead peer, and refuses TLS below 1.2. Its pool keeps
// maxIdlePerHost idle connections per host, for each of the hosts the
// client calls (CAS, KMS, Alidns).
//
// http1Only keeps it to HTTP/1.1, for signature V3: its requests have no
// body (http.NoBody), and net/http's HTTP/2 transport sends such a request
// again by itself after some failures, one of which (a PROTOCOL_ERROR
// stream reset from the server) does not prove that the server did not
// act; a create must not be sent twice. HTTP/1.1 never re-sends a POST.
// HMAC-SHA1's requests have a body the transport cannot rewind (no
// GetBody), which HTTP/2 does not re-send, so they keep HTTP/2.
func newHTTPClient(maxIdlePerHost int, http1Only bool) *http.Client {
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
	t.MaxIdleConnsPerHost = maxIdlePerHost
	t.MaxIdleConns = maxIdlePerHost * int(apiCount)
	t.Proxy = noProxyForHTTP(t.Proxy)
	if http1Only {
		var p http.Protocols
		p.SetHTTP1(true)
		t.Protocols = &p
	}
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

// noProxyForHTTP wraps a transport's proxy choice so that a plain http://
// request is never sent through a proxy: such requests go only to loopback
// endpoints (or where WithInsecureHTTP allowed), and a proxy from the
// environment would carry the signed body, token included, in clear text
// across the network.
func noProxyForHTTP(proxy func(*http.Request) (*url.URL, error)) func(*http.Request) (*url.URL, error) {
	return func(req *http.Request) (*url.URL, error) {
		if req.URL.Scheme == "http" || proxy == nil {
			return nil, nil
		}
		return proxy(req)
	}
}
