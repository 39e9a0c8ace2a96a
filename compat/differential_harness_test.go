package compat

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	alidns4 "github.com/alibabacloud-go/alidns-20150109/v4/client"
	cas4 "github.com/alibabacloud-go/cas-20200407/v4/client"
	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	kms3 "github.com/alibabacloud-go/kms-20160120/v3/client"
	"github.com/alibabacloud-go/tea/tea"
	"github.com/alicert/alicert"
)

// The machinery of the differential suite (differential_test.go): a server
// that records what each client sends and answers one recorded body, the
// official clients pointed at it, the flattening of a parameter set and of
// a decoded response into comparable leaves, and the response body made
// from the official model.

// diffID and diffSecret are the access key both clients sign with. The
// recording server checks no signature: what is compared is what is sent.
const (
	diffID     = "differential-key-id"
	diffSecret = "differential-key-secret"
)

// sentRequest is one request as the recording server received it.
type sentRequest struct {
	method string
	query  url.Values
	header http.Header
	body   []byte
}

// params is the request's decoded parameter set: its query and, for a form
// body, the form's parameters.
func (r sentRequest) params(t *testing.T) url.Values {
	t.Helper()
	all := url.Values{}
	for k, v := range r.query {
		all[k] = append(all[k], v...)
	}
	if mt, _, _ := mime.ParseMediaType(r.header.Get("Content-Type")); mt == "application/x-www-form-urlencoded" {
		form, err := url.ParseQuery(string(r.body))
		if err != nil {
			t.Fatalf("a form body that does not parse: %v: %q", err, r.body)
		}
		for k, v := range form {
			all[k] = append(all[k], v...)
		}
	}
	return all
}

// recorder is a server that records every request and answers each with
// the same JSON body.
type recorder struct {
	*httptest.Server
	answer []byte

	mu   sync.Mutex
	sent []sentRequest
}

func newRecorder(t *testing.T, answer []byte) *recorder {
	t.Helper()
	r := &recorder{answer: answer}
	r.Server = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.Close)
	return r
}

func (r *recorder) serve(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(io.LimitReader(req.Body, 1<<20))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	r.mu.Lock()
	r.sent = append(r.sent, sentRequest{method: req.Method, query: req.URL.Query(), header: req.Header.Clone(), body: body})
	r.mu.Unlock()
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	_, _ = w.Write(r.answer)
}

// take returns the requests received since the last take and forgets them.
func (r *recorder) take() []sentRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	sent := r.sent
	r.sent = nil
	return sent
}

// officials are the official generated clients, all pointed at one
// recording server and signing with one algorithm, and the runtime they
// share, for the Private CA (see pcaCall).
type officials struct {
	cas     *cas4.Client
	kms     *kms3.Client
	alidns  *alidns4.Client
	openapi *openapi.Client
}

func newOfficials(t *testing.T, srv *recorder, alg string) *officials {
	t.Helper()
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	cfg := &openapi.Config{
		AccessKeyId: tea.String(diffID), AccessKeySecret: tea.String(diffSecret),
		Endpoint: tea.String(u.Host), Protocol: tea.String("HTTP"), RegionId: tea.String(region),
	}
	if alg != sigV3 {
		cfg.SignatureAlgorithm = tea.String(alg)
	}
	var o officials
	if o.cas, err = cas4.NewClient(cfg); err != nil {
		t.Fatalf("cas-20200407 NewClient: %v", err)
	}
	if o.kms, err = kms3.NewClient(cfg); err != nil {
		t.Fatalf("kms-20160120 NewClient: %v", err)
	}
	if o.alidns, err = alidns4.NewClient(cfg); err != nil {
		t.Fatalf("alidns-20150109 NewClient: %v", err)
	}
	if o.openapi, err = openapi.NewClient(cfg); err != nil {
		t.Fatalf("darabonba-openapi NewClient: %v", err)
	}
	return &o
}

// newDiffAlicert is alicert's client for the recording server, signing
// with alg, one attempt per call.
func newDiffAlicert(t *testing.T, srv *recorder, alg string) *alicert.Client {
	t.Helper()
	a := alicert.SignatureACS3HMACSHA256
	if alg == sigV2 {
		a = alicert.SignatureHMACSHA1
	}
	c, err := alicert.NewClient(alicert.WithAccessKey(diffID, diffSecret),
		alicert.WithCASEndpoint(srv.URL), alicert.WithKMSEndpoint(srv.URL), alicert.WithDNSEndpoint(srv.URL),
		alicert.WithMaxAttempts(1), alicert.WithSignatureAlgorithm(a))
	if err != nil {
		t.Fatalf("alicert.NewClient: %v", err)
	}
	return c
}

// oursCall is one call of an alicert operation, with the operation's
// name ("CASService.CreateCsr") taken from the method itself.
type oursCall struct {
	method string
	call   func(ctx context.Context, c *alicert.Client) (any, error)
}

func casOp[In, Out any](m func(*alicert.CASService, context.Context, In) (Out, error), in In) oursCall {
	return oursCall{methodName(m), func(ctx context.Context, c *alicert.Client) (any, error) { return m(c.CAS, ctx, in) }}
}

func kmsOp[In, Out any](m func(*alicert.KMSService, context.Context, In) (Out, error), in In) oursCall {
	return oursCall{methodName(m), func(ctx context.Context, c *alicert.Client) (any, error) { return m(c.KMS, ctx, in) }}
}

func dnsOp[In, Out any](m func(*alicert.DNSService, context.Context, In) (Out, error), in In) oursCall {
	return oursCall{methodName(m), func(ctx context.Context, c *alicert.Client) (any, error) { return m(c.DNS, ctx, in) }}
}

func pcaOp[In, Out any](m func(*alicert.PCAService, context.Context, In) (Out, error), in In) oursCall {
	return oursCall{methodName(m), func(ctx context.Context, c *alicert.Client) (any, error) { return m(c.PCA, ctx, in) }}
}

// methodName is "CASService.CreateCsr" for the method expression
// (*alicert.CASService).CreateCsr.
func methodName(f any) string {
	name := runtime.FuncForPC(reflect.ValueOf(f).Pointer()).Name()
	name = name[strings.LastIndex(name, "/")+1:] // alicert.(*CASService).CreateCsr
	name = strings.TrimSuffix(name, "-fm")       // a method value, should one be passed
	return strings.NewReplacer("alicert.", "", "(*", "", ")", "").Replace(name)
}

// theirsCall is one call of an official client's operation, with the type
// of the response body its model declares.
type theirsCall struct {
	// action is the operation pcaCall calls; "" for a generated client's
	// method, which is the operation itself.
	action string
	body   reflect.Type // the model's *<Operation>ResponseBody
	call   func(o *officials) (body any, err error)
}

func casCall[Req, Resp any](m func(*cas4.Client, Req) (Resp, error), req Req) theirsCall {
	return officialCall(func(o *officials) *cas4.Client { return o.cas }, m, req)
}

func kmsCall[Req, Resp any](m func(*kms3.Client, Req) (Resp, error), req Req) theirsCall {
	return officialCall(func(o *officials) *kms3.Client { return o.kms }, m, req)
}

func alidnsCall[Req, Resp any](m func(*alidns4.Client, Req) (Resp, error), req Req) theirsCall {
	return officialCall(func(o *officials) *alidns4.Client { return o.alidns }, m, req)
}

func officialCall[C, Req, Resp any](client func(*officials) C, m func(C, Req) (Resp, error), req Req) theirsCall {
	body, ok := reflect.TypeFor[Resp]().Elem().FieldByName("Body")
	if !ok {
		panic(fmt.Sprintf("%v has no Body", reflect.TypeFor[Resp]()))
	}
	return theirsCall{body: body.Type, call: func(o *officials) (any, error) {
		resp, err := m(client(o), req)
		if err != nil {
			return nil, err
		}
		return reflect.ValueOf(resp).Elem().FieldByName("Body").Interface(), nil
	}}
}

// modelBody is the response body the recording server answers for an
// operation: every field of the official model's response body, filled in
// (see fill), then the row's overrides. Strings name their field; int64
// fields are above 2^53, so a decoder that goes through float64 shows;
// other integers are 1, which also reads as a 0/1 flag; bools are true;
// every list has two elements.
func modelBody(t *testing.T, body reflect.Type, overrides map[string]any) []byte {
	t.Helper()
	doc := fill(body, "", new(int64)).(map[string]any)
	for k, v := range overrides {
		doc[k] = v
	}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func fill(t reflect.Type, path string, n *int64) any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		doc := map[string]any{}
		for i := range t.NumField() {
			f := t.Field(i)
			if name := jsonName(f); name != "" {
				doc[name] = fill(f.Type, joinPath(path, name), n)
			}
		}
		return doc
	case reflect.Slice:
		return []any{fill(t.Elem(), path+"[0]", n), fill(t.Elem(), path+"[1]", n)}
	case reflect.Map:
		return map[string]any{"key": fill(t.Elem(), path+".key", n)}
	case reflect.Interface:
		return path + "-value"
	case reflect.String:
		return path + "-value"
	case reflect.Bool:
		return true
	case reflect.Int64:
		*n++
		return json.Number(strconv.FormatInt(1<<53+*n, 10))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uint:
		return 1
	case reflect.Float32, reflect.Float64:
		return 1.5
	}
	panic(fmt.Sprintf("%s: no value for a %v", path, t))
}

// jsonName is the JSON name a model field travels under, "" for none.
func jsonName(f reflect.StructField) string {
	if !f.IsExported() {
		return ""
	}
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	switch name {
	case "-":
		return ""
	case "":
		return f.Name
	}
	return name
}

func joinPath(parent, name string) string {
	if parent == "" {
		return name
	}
	return parent + "." + name
}

// leaves flattens a decoded value into its leaves: the path of each
// scalar, fields named by their JSON name (alicert's untagged and "-"
// fields by their Go name), lists by index, to the scalar's text. A nil
// pointer or an empty list has no leaves: the field was not decoded.
// []byte is base64, the form it travels in.
func leaves(v reflect.Value, path string, out map[string]string) {
	if raw, ok := v.Interface().(json.RawMessage); ok {
		leavesOfJSON(raw, path, out)
		return
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			leaves(v.Elem(), path, out)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if !f.IsExported() {
				continue
			}
			name := jsonName(f)
			if name == "" {
				name = f.Name
			}
			leaves(v.Field(i), joinPath(path, name), out)
		}
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			out[path] = base64.StdEncoding.EncodeToString(v.Bytes())
			return
		}
		for i := range v.Len() {
			leaves(v.Index(i), fmt.Sprintf("%s[%d]", path, i), out)
		}
	case reflect.Map:
		keys := v.MapKeys()
		for _, k := range keys {
			leaves(v.MapIndex(k), joinPath(path, fmt.Sprint(k.Interface())), out)
		}
	case reflect.String:
		out[path] = v.String()
	case reflect.Bool:
		out[path] = strconv.FormatBool(v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		out[path] = strconv.FormatInt(v.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		out[path] = strconv.FormatUint(v.Uint(), 10)
	case reflect.Float32, reflect.Float64:
		out[path] = strconv.FormatFloat(v.Float(), 'g', -1, 64)
	default:
		out[path] = fmt.Sprint(v.Interface())
	}
}

// leavesOfJSON are the leaves of a json.RawMessage, which holds what the
// model types as any value: as the official client decodes it, numbers
// kept exact.
func leavesOfJSON(raw json.RawMessage, path string, out map[string]string) {
	if len(raw) == 0 {
		return
	}
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		out[path] = fmt.Sprintf("undecodable JSON %q: %v", raw, err)
		return
	}
	leaves(reflect.ValueOf(&v).Elem(), path, out)
}

// indexes matches the list indexes of a leaf's path, which a difference's
// path leaves out.
var indexes = regexp.MustCompile(`\[\d+\]`)

// generic is a leaf's path without its list indexes: Data[1].CertId is
// Data.CertId.
func generic(path string) string { return indexes.ReplaceAllString(path, "") }

// renamed maps a response path of the official model to alicert's by
// paths, whose keys and values are paths without list indexes:
// "DomainRecords.Record[1].RR" is "Records[1].RR" when paths maps
// "DomainRecords.Record" to "Records". Where both have as many
// segments, each keeps its index; otherwise the last index moves to the
// last new segment.
func renamed(path string, paths map[string]string) string {
	segs := strings.Split(path, ".")
	for from, to := range paths {
		n := strings.Count(from, ".") + 1
		if n > len(segs) || generic(strings.Join(segs[:n], ".")) != from {
			continue
		}
		repl := strings.Split(to, ".")
		if len(repl) == n {
			for i := range repl {
				repl[i] += indexes.FindString(segs[i])
			}
		} else {
			repl[len(repl)-1] += indexes.FindString(segs[n-1])
		}
		return strings.Join(append(repl, segs[n:]...), ".")
	}
	return path
}

// sortedKeys are a parameter set's or a leaf map's names, sorted.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// testPEMs are a key, a self-signed certificate for www.example.com and a
// CSR for it, for the inputs that alicert checks are PEM.
type testPEMs struct{ key, cert, csr string }

var diffPEMs = sync.OnceValue(func() testPEMs {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "www.example.com"},
		DNSNames:  []string{"www.example.com"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
	}
	cert, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		panic(err)
	}
	csr, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject: pkix.Name{CommonName: "www.example.com"}, DNSNames: []string{"www.example.com"}}, key)
	if err != nil {
		panic(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		panic(err)
	}
	return testPEMs{
		key:  string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		cert: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert})),
		csr:  string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: csr})),
	}
})
