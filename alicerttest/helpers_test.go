package alicerttest_test

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/alicerttest"
	"github.com/alicert/alicert/internal/signature"
	"github.com/stretchr/testify/require"
)

const (
	casVersion = "2020-04-07"
	kmsVersion = "2016-01-20"
)

// newServer starts a server that the test closes.
func newServer(t *testing.T, opts ...alicerttest.Option) *alicerttest.Server {
	t.Helper()
	srv := alicerttest.NewServer(opts...)
	t.Cleanup(srv.Close)
	return srv
}

// newClient returns a client of srv with fast retries; opts come last and
// win.
func newClient(t *testing.T, srv *alicerttest.Server, opts ...alicert.Option) *alicert.Client {
	t.Helper()
	all := append(srv.ClientOptions(), alicert.WithRetryDelay(time.Millisecond, 5*time.Millisecond))
	c, err := alicert.NewClient(append(all, opts...)...)
	require.NoError(t, err)
	return c
}

// raw is a hand-made, hand-signed request, for what the client refuses to
// send.
type raw struct {
	method    string            // default POST
	params    map[string]string // Action, Version and the action's parameters
	id        string            // default: the server's key
	secret    string            // default: the server's secret
	token     string            // SecurityToken, if any
	timestamp time.Time         // default: now
	nonce     string            // default: random
	signAs    string            // method in the string-to-sign, default method
	omit      string            // a common parameter to leave out
	tamper    func(url.Values)  // changes made after signing
}

// rawResult is what came back.
type rawResult struct {
	status int
	header http.Header
	body   []byte
	doc    errorDoc
	sts    string // the string-to-sign the test signed
	wire   string // the encoded parameters that were sent
}

// errorDoc is the service's JSON error document.
type errorDoc struct {
	RequestID string `json:"RequestId"`
	HostID    string `json:"HostId"`
	Code      string `json:"Code"`
	Message   string `json:"Message"`
	Recommend string `json:"Recommend"`
}

// sign returns the encoded, signed parameters of r and the string-to-sign.
func (r raw) sign(srv *alicerttest.Server) (wire, sts string) {
	id, secret := srv.Credentials()
	if r.id != "" {
		id = r.id
	}
	if r.secret != "" {
		secret = r.secret
	}
	if r.timestamp.IsZero() {
		r.timestamp = time.Now()
	}
	if r.nonce == "" {
		b := make([]byte, 16)
		_, _ = rand.Read(b)
		r.nonce = hex.EncodeToString(b)
	}
	method := r.method
	if method == "" {
		method = http.MethodPost
	}
	if r.signAs != "" {
		method = r.signAs
	}
	all := map[string]string{
		"Format": "JSON", "AccessKeyId": id, "SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0",
		"SignatureNonce": r.nonce, "Timestamp": r.timestamp.UTC().Format("2006-01-02T15:04:05Z"),
	}
	if r.token != "" {
		all["SecurityToken"] = r.token
	}
	for k, v := range r.params {
		all[k] = v
	}
	delete(all, r.omit)
	list := make([]signature.Param, 0, len(all))
	for k, v := range all {
		list = append(list, signature.Param{Key: k, Value: v})
	}
	signature.Sort(list)
	canonical := signature.AppendCanonical(nil, list)
	stsBytes := signature.AppendStringToSign(nil, method, canonical)
	v := url.Values{}
	for k, val := range all {
		v.Set(k, val)
	}
	if r.omit != "Signature" {
		v.Set("Signature", signature.Sign(secret, stsBytes))
	}
	if r.tamper != nil {
		r.tamper(v)
	}
	return v.Encode(), string(stsBytes)
}

// send signs and sends r.
func (r raw) send(t *testing.T, srv *alicerttest.Server) rawResult {
	t.Helper()
	wire, sts := r.sign(srv)
	res := sendWire(t, srv, r.method, wire)
	res.sts = sts
	return res
}

// sendWire sends encoded parameters as a POST body or a GET query.
func sendWire(t *testing.T, srv *alicerttest.Server, method, wire string) rawResult {
	t.Helper()
	var req *http.Request
	var err error
	if method == http.MethodGet {
		req, err = http.NewRequestWithContext(t.Context(), method, srv.URL+"/?"+wire, nil)
	} else {
		req, err = http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+"/", strings.NewReader(wire))
		if err == nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	}
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	res := rawResult{status: resp.StatusCode, header: resp.Header, body: body, wire: wire}
	if resp.StatusCode != http.StatusOK {
		require.NoError(t, json.Unmarshal(body, &res.doc), "error body %s", body)
	}
	return res
}

// ecsr is a valid CreateCsr parameter set (ECC, fast).
func ecsr() map[string]string {
	return map[string]string{
		"Action": "CreateCsr", "Version": casVersion, "Algorithm": "ECC", "KeySize": "256",
		"CommonName": "example.com", "CountryCode": "CN", "Province": "Zhejiang", "Locality": "Hangzhou",
	}
}

// with returns a copy of base with changes; an empty value deletes a key.
func with(base map[string]string, changes ...string) map[string]string {
	out := make(map[string]string, len(base))
	for k, v := range base {
		out[k] = v
	}
	for i := 0; i+1 < len(changes); i += 2 {
		if changes[i+1] == "" {
			delete(out, changes[i])
			continue
		}
		out[changes[i]] = changes[i+1]
	}
	return out
}
