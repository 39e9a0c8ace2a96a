package main

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/alicerttest"
	"github.com/alicert/alicert/cmd/alicert/internal/store"
)

// This file is the fake verb: alicerttest served as a long-running process
// on a loopback port, for programs in any language, with its state kept in
// a directory and an admin port for faults, the clock and counters.

const fakeServeDescription = `Serve a local stand-in for CAS (2020-04-07) and its Private CA (2020-06-30),
KMS (2016-01-20) and Alidns (2015-01-09) until SIGINT or SIGTERM: the
alicerttest fake, which checks signatures (HMAC-SHA1 and ACS3-HMAC-SHA256),
keeps state and issues real certificates from its own test CA. It listens on
loopback only. Its Private CA always holds a root and a sub-CA (quota 1000)
with real keys: issue from the sub-CA with alicert pca issue -ca ID.

At start it prints the endpoint, the AccessKey pair it accepts (a test key,
valid only here), the admin endpoint and token, the Private CA's sub-CA and
root identifiers, and export lines for
ALICERT_CAS_ENDPOINT, ALICERT_KMS_ENDPOINT, ALICERT_DNS_ENDPOINT (read by
every alicert verb and alicert.NewClient), ALIBABA_CLOUD_ACCESS_KEY_ID and
_SECRET, and with -tls SSL_CERT_FILE; -json prints the same as one JSON
object. Plain HTTP on loopback needs no opt-in from alicert's clients.

-state DIR keeps the whole fake (orders, certificates and their keys, KMS
keys, CSRs, resources, jobs, DNS records, the AccessKey pair, the clock
offset) in DIR/fake-state.json (mode 0600: it holds private keys), written
atomically within a second of a change and at shutdown; a damaged file is
refused. -seed FILE seeds a new fake (not one loaded from -state) from JSON:
  {"zones": ["example.com"], "contacts": [{"name": "Ops", "email": "o@example.com",
   "mobile": "13800000000"}], "resources": [{"CloudProduct": "CDN",
   "Domain": "www.example.com", "CertID": 1001}], "certificates": [{"Name": "shop",
   "Domain": "shop.example.com", "NotBefore": "2026-01-01T00:00:00Z",
   "NotAfter": "2026-04-01T00:00:00Z"}], "quota": {"digicert-free-1-free": 20},
   "clockOffset": "-24h"}

The admin surface listens on its own loopback port (-admin-listen) and
answers only requests with "Authorization: Bearer TOKEN":
  GET  /counters                       requests by action, orders, certificates...
  POST /faults {"action": "CreateCertificateRequest", "kind": "FaultThrottle",
                "times": 1, "delay": "2s"}   queue a fault (alicerttest.FaultKind names)
  DELETE /faults                       clear the queued faults
  POST /clock {"advance": "720h"}      move the fake's clock on; GET /clock reads it
`

// fakeServeFlags are the fake verb's flags.
type fakeServeFlags struct {
	listen, adminListen string
	tls                 bool
	caFile, state, seed string
	json, dnsCheck      bool
	immediate           bool
	readsPerState       int
	zones               string
	clockOffset         time.Duration
}

// fakeServe runs alicert fake.
func (c *cli) fakeServe(ctx context.Context, args []string) int {
	var f fakeServeFlags
	fs := c.newFlagSet("fake", "fake [-listen 127.0.0.1:PORT] [-tls -ca-file FILE] [-state DIR] [-seed FILE] [-json]", fakeServeDescription)
	fs.StringVar(&f.listen, "listen", "127.0.0.1:0", "loopback address to serve CAS, KMS and Alidns on (port 0: a free one)")
	fs.StringVar(&f.adminListen, "admin-listen", "127.0.0.1:0", "loopback address of the admin surface")
	fs.BoolVar(&f.tls, "tls", false, "serve HTTPS under a certificate of the fake's test CA, written to -ca-file")
	fs.StringVar(&f.caFile, "ca-file", "", "with -tls, where to write the CA certificate (PEM) for SSL_CERT_FILE (default DIR/ca.pem with -state)")
	fs.StringVar(&f.state, "state", "", "directory that keeps the fake's state across restarts")
	fs.StringVar(&f.seed, "seed", "", "JSON file seeding a new fake (its form: alicert help fake)")
	fs.BoolVar(&f.json, "json", false, "print the start-up details as one JSON object")
	fs.BoolVar(&f.dnsCheck, "dns-check", true, "DNS-validated orders wait for their TXT record in the fake Alidns")
	fs.BoolVar(&f.immediate, "immediate", false, "issue every order on its first status read")
	fs.IntVar(&f.readsPerState, "reads-per-state", 1, "status reads an order spends in each state")
	fs.StringVar(&f.zones, "zones", "", "comma-separated DNS zones the fake Alidns hosts (default: every two-label domain)")
	fs.DurationVar(&f.clockOffset, "clock-offset", 0, "start the fake's clock this far from the real one, e.g. -720h (a fake loaded from -state keeps its own)")
	if code, stop := c.parse(fs, args); stop {
		return code
	}
	if err := checkLoopback(f.listen); err != nil {
		return c.usageError(fs, "-listen: %v", err)
	}
	if err := checkLoopback(f.adminListen); err != nil {
		return c.usageError(fs, "-admin-listen: %v", err)
	}
	if f.tls && f.caFile == "" {
		if f.state == "" {
			return c.usageError(fs, "-tls needs -ca-file (or -state, which defaults it to DIR/ca.pem)")
		}
		f.caFile = filepath.Join(f.state, "ca.pem")
	}
	if !f.tls && f.caFile != "" {
		return c.usageError(fs, "-ca-file needs -tls")
	}
	fk, err := startFake(f)
	if err != nil {
		return c.failf(exitFailure, "fake: %v", err)
	}
	defer fk.stop()
	fk.printStart(c.stdout, f.json)
	<-ctx.Done()
	fmt.Fprintln(c.stderr, "alicert fake: stopping")
	if err := fk.shutdown(); err != nil {
		return c.failf(exitFailure, "fake: %v", err)
	}
	return exitOK
}

// checkLoopback refuses an address that is not host:port on a loopback
// host: the fake accepts a key it prints, so it must not be reachable from
// elsewhere.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%q is not host:port", addr)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("%q is not a loopback address (127.0.0.1, ::1 or localhost): the fake serves loopback only", addr)
	}
	return nil
}

// runningFake is a started fake with its admin server.
type runningFake struct {
	srv      *alicerttest.Server
	admin    *http.Server
	adminURL string
	token    string
	caFile   string
	offset   *atomic.Int64 // the clock offset, in nanoseconds
	store    *fakeStore    // nil without -state
	stopOnce sync.Once
	done     chan struct{}
	saved    chan struct{} // closed when the saver ends
}

// startFake opens the listeners, loads or seeds the fake and starts it.
func startFake(f fakeServeFlags) (*runningFake, error) {
	fk := &runningFake{offset: new(atomic.Int64), done: make(chan struct{}), saved: make(chan struct{}), caFile: f.caFile}
	opts := []alicerttest.Option{alicerttest.WithPrivateCA(), alicerttest.WithReadsPerState(f.readsPerState),
		alicerttest.WithClock(func() time.Time { return time.Now().Add(time.Duration(fk.offset.Load())) })}
	if f.dnsCheck {
		opts = append(opts, alicerttest.WithDNSCheck())
	}
	if f.immediate {
		opts = append(opts, alicerttest.WithImmediateIssue())
	}
	if f.tls {
		opts = append(opts, alicerttest.WithTLS())
	}
	if z := splitList(f.zones); len(z) > 0 {
		opts = append(opts, alicerttest.WithDNSZones(z...))
	}
	fk.offset.Store(int64(f.clockOffset))
	var seed *fakeSeedFile
	if f.seed != "" {
		var err error
		if seed, err = readFakeSeed(f.seed); err != nil {
			return nil, err
		}
	}
	var loaded *alicerttest.State
	if f.state != "" {
		fk.store = &fakeStore{dir: f.state}
		saved, err := fk.store.load()
		if err != nil {
			return nil, err
		}
		if saved != nil {
			loaded = saved.state
			fk.offset.Store(int64(saved.clockOffset))
			seed = nil // a loaded fake is not seeded again
			opts = append(opts, alicerttest.WithState(loaded))
		}
	}
	if seed != nil {
		opts = append(opts, seed.options()...)
		fk.offset.Store(int64(seed.offset))
	}
	l, err := net.Listen("tcp", f.listen)
	if err != nil {
		return nil, err
	}
	adminL, err := net.Listen("tcp", f.adminListen)
	if err != nil {
		_ = l.Close()
		return nil, err
	}
	fk.srv = alicerttest.NewServer(append(opts, alicerttest.WithListener(l))...)
	if seed != nil {
		seed.apply(fk.srv)
	}
	if f.tls {
		caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: fk.srv.CACertificate().Raw})
		if err := writeFileAtomic(f.caFile, caPEM, 0o644); err != nil {
			fk.srv.Close()
			_ = adminL.Close()
			return nil, fmt.Errorf("writing the CA certificate: %w", err)
		}
	}
	fk.token = randomToken()
	fk.adminURL = "http://" + adminL.Addr().String()
	fk.admin = &http.Server{Handler: fk.adminHandler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = fk.admin.Serve(adminL) }()
	go fk.saveLoop()
	return fk, nil
}

// randomToken is the admin token: 128 random bits in hex.
func randomToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b)
}

// fakeStart is what the fake prints at start.
type fakeStart struct {
	Endpoint        string            `json:"endpoint"`
	AccessKeyID     string            `json:"accessKeyId"`
	AccessKeySecret string            `json:"accessKeySecret"`
	AdminEndpoint   string            `json:"adminEndpoint"`
	AdminToken      string            `json:"adminToken"`
	CAFile          string            `json:"caFile,omitempty"`
	PrivateCA       fakePrivateCA     `json:"privateCA"`
	Env             map[string]string `json:"env"`
}

// fakePrivateCA names the CAs of the fake's Private CA.
type fakePrivateCA struct {
	RootIdentifier  string `json:"rootIdentifier"`
	SubCAIdentifier string `json:"subCAIdentifier"`
}

func (fk *runningFake) startDetails() fakeStart {
	id, secret := fk.srv.Credentials()
	env := map[string]string{
		alicert.EnvCASEndpoint:            fk.srv.URL,
		alicert.EnvKMSEndpoint:            fk.srv.URL,
		alicert.EnvDNSEndpoint:            fk.srv.URL,
		"ALIBABA_CLOUD_ACCESS_KEY_ID":     id,
		"ALIBABA_CLOUD_ACCESS_KEY_SECRET": secret,
	}
	if fk.caFile != "" {
		abs, err := filepath.Abs(fk.caFile)
		if err != nil {
			abs = fk.caFile
		}
		env["SSL_CERT_FILE"] = abs
	}
	pca := fk.srv.PrivateCA()
	return fakeStart{Endpoint: fk.srv.URL, AccessKeyID: id, AccessKeySecret: secret,
		AdminEndpoint: fk.adminURL, AdminToken: fk.token, CAFile: env["SSL_CERT_FILE"], Env: env,
		PrivateCA: fakePrivateCA{RootIdentifier: pca.RootIdentifier, SubCAIdentifier: pca.SubCAIdentifier}}
}

// printStart prints the start-up details, as text or JSON. The AccessKey
// pair is the fake's own test key, printed on purpose: it is valid
// nowhere else.
func (fk *runningFake) printStart(w io.Writer, asJSON bool) {
	d := fk.startDetails()
	if asJSON {
		b, _ := json.Marshal(d) // strings and a map of strings
		fmt.Fprintf(w, "%s\n", b)
		return
	}
	fmt.Fprintf(w, "alicert fake: serving CAS, its Private CA, KMS and Alidns at %s\n", d.Endpoint)
	fmt.Fprintf(w, "AccessKey ID:     %s\nAccessKey secret: %s (a test key, valid only here)\n", d.AccessKeyID, d.AccessKeySecret)
	fmt.Fprintf(w, "admin:            %s (Authorization: Bearer %s)\n", d.AdminEndpoint, d.AdminToken)
	fmt.Fprintf(w, "private CA:       sub-CA %s (alicert pca issue -ca %s), root %s\n",
		d.PrivateCA.SubCAIdentifier, d.PrivateCA.SubCAIdentifier, d.PrivateCA.RootIdentifier)
	keys := make([]string, 0, len(d.Env))
	for k := range d.Env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(w, "export %s=%s\n", k, shellQuote(d.Env[k]))
	}
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// saveLoop writes the state every half second when it changed, until
// stop.
func (fk *runningFake) saveLoop() {
	defer close(fk.saved)
	if fk.store == nil {
		return
	}
	t := time.NewTicker(500 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-fk.done:
			return
		case <-t.C:
			_ = fk.save() // the final save at shutdown reports errors
		}
	}
}

// save writes the state if it changed since the last write.
func (fk *runningFake) save() error {
	if fk.store == nil {
		return nil
	}
	snap, err := fk.srv.Snapshot()
	if err != nil {
		return err
	}
	return fk.store.save(snap, time.Duration(fk.offset.Load()))
}

// shutdown stops serving and writes the state a last time.
func (fk *runningFake) shutdown() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = fk.admin.Shutdown(ctx)
	fk.srv.Close()
	fk.stop()
	<-fk.saved
	return fk.save()
}

// stop ends the save loop; it may be called more than once.
func (fk *runningFake) stop() { fk.stopOnce.Do(func() { close(fk.done) }) }

// adminHandler serves the admin surface, behind the token.
func (fk *runningFake) adminHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /counters", fk.adminCounters)
	mux.HandleFunc("POST /faults", fk.adminInjectFault)
	mux.HandleFunc("DELETE /faults", func(w http.ResponseWriter, _ *http.Request) {
		fk.srv.ClearFaults()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /clock", fk.adminClock)
	mux.HandleFunc("POST /clock", fk.adminClock)
	want := []byte("Bearer " + fk.token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			http.Error(w, "alicert fake admin: missing or wrong token (Authorization: Bearer TOKEN)", http.StatusUnauthorized)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		mux.ServeHTTP(w, r)
	})
}

// fakeCounters is what GET /counters answers.
type fakeCounters struct {
	Requests        map[string]int `json:"requests"`
	Orders          int            `json:"orders"`
	Certificates    int            `json:"certificates"`
	CSRs            int            `json:"csrs"`
	KMSCertificates int            `json:"kmsCertificates"`
	KMSKeys         int            `json:"kmsKeys"`
	DeploymentJobs  int            `json:"deploymentJobs"`
	DNSRecords      int            `json:"dnsRecords"`
}

func (fk *runningFake) adminCounters(w http.ResponseWriter, _ *http.Request) {
	s := fk.srv
	byAction := map[string]int{}
	for _, r := range s.Requests() {
		byAction[r.Action]++
	}
	adminJSON(w, http.StatusOK, fakeCounters{Requests: byAction, Orders: s.OrderCount(), Certificates: s.CertificateCount(),
		CSRs: s.CsrCount(), KMSCertificates: s.KMSCertificateCount(), KMSKeys: s.KMSKeyCount(),
		DeploymentJobs: s.DeploymentJobCount(), DNSRecords: len(s.DNSRecords())})
}

// fakeFaultRequest is the body of POST /faults.
type fakeFaultRequest struct {
	Action string `json:"action"`
	Kind   string `json:"kind"`
	Times  int    `json:"times"`
	Delay  string `json:"delay"`
}

func (fk *runningFake) adminInjectFault(w http.ResponseWriter, r *http.Request) {
	var req fakeFaultRequest
	if err := decodeStrict(r.Body, &req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	kind, ok := faultKindNamed(req.Kind)
	var problems []string
	if !ok {
		problems = append(problems, fmt.Sprintf("kind: %q is not a fault (FaultThrottle, FaultInternalError, ...)", req.Kind))
	}
	if req.Action == "" {
		problems = append(problems, "action: required")
	}
	if kind == alicerttest.FaultTLSHandshake && !strings.HasPrefix(fk.srv.URL, "https:") {
		problems = append(problems, "kind: FaultTLSHandshake needs a fake started with -tls")
	}
	var delay time.Duration
	if req.Delay != "" {
		var err error
		if delay, err = time.ParseDuration(req.Delay); err != nil || delay < 0 {
			problems = append(problems, "delay: want a duration such as \"2s\"")
		}
	}
	if len(problems) > 0 {
		http.Error(w, strings.Join(problems, "; "), http.StatusBadRequest)
		return
	}
	fk.srv.InjectFault(req.Action, alicerttest.Fault{Kind: kind, Delay: delay}, req.Times)
	w.WriteHeader(http.StatusNoContent)
}

// faultKindNamed finds a FaultKind by its constant's name.
func faultKindNamed(name string) (alicerttest.FaultKind, bool) {
	for k := alicerttest.FaultKind(1); k < 64; k++ {
		if k.String() == name {
			return k, true
		}
	}
	return 0, false
}

// fakeClock is the body of POST /clock and the answer of both.
type fakeClock struct {
	Advance string    `json:"advance,omitempty"`
	Now     time.Time `json:"now"`
	Offset  string    `json:"offset"`
}

func (fk *runningFake) adminClock(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost {
		var req fakeClock
		if err := decodeStrict(r.Body, &req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		d, err := time.ParseDuration(req.Advance)
		if err != nil || d < 0 {
			http.Error(w, "advance: want a positive duration such as \"720h\"", http.StatusBadRequest)
			return
		}
		fk.offset.Add(int64(d))
	}
	off := time.Duration(fk.offset.Load())
	adminJSON(w, http.StatusOK, fakeClock{Now: time.Now().Add(off).UTC(), Offset: off.String()})
}

func adminJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// decodeStrict decodes one JSON document, refusing unknown fields.
func decodeStrict(r io.Reader, v any) error {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("bad JSON body: %v", err)
	}
	return nil
}

// fakeSeedFile is the -seed file.
type fakeSeedFile struct {
	Zones    []string `json:"zones"`
	Contacts []struct {
		Name   string `json:"name"`
		Email  string `json:"email"`
		Mobile string `json:"mobile"`
	} `json:"contacts"`
	Resources    []alicerttest.CloudResource   `json:"resources"`
	Certificates []alicerttest.SeedCertificate `json:"certificates"`
	Quota        map[string]int64              `json:"quota"`
	ClockOffset  string                        `json:"clockOffset"`

	offset time.Duration
}

// readFakeSeed reads and checks a -seed file.
func readFakeSeed(path string) (*fakeSeedFile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var s fakeSeedFile
	if err := decodeStrict(strings.NewReader(string(b)), &s); err != nil {
		return nil, fmt.Errorf("-seed %s: %v", path, err)
	}
	var problems []string
	if s.ClockOffset != "" {
		if s.offset, err = time.ParseDuration(s.ClockOffset); err != nil {
			problems = append(problems, fmt.Sprintf("clockOffset: %q is not a duration", s.ClockOffset))
		}
	}
	for i, r := range s.Resources {
		if r.CloudProduct == "" {
			problems = append(problems, fmt.Sprintf("resources[%d].CloudProduct: required", i))
		}
	}
	for i, c := range s.Certificates {
		if c.Domain == "" || c.NotAfter.Before(c.NotBefore) || c.NotAfter.IsZero() {
			problems = append(problems, fmt.Sprintf("certificates[%d]: needs Domain, NotBefore and a later NotAfter", i))
		}
	}
	for code, n := range s.Quota {
		if n < 0 {
			problems = append(problems, fmt.Sprintf("quota[%q]: must not be negative", code))
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("-seed %s: %s", path, strings.Join(problems, "; "))
	}
	return &s, nil
}

// options are the seed's server options.
func (s *fakeSeedFile) options() []alicerttest.Option {
	var opts []alicerttest.Option
	if len(s.Zones) > 0 {
		opts = append(opts, alicerttest.WithDNSZones(s.Zones...))
	}
	for _, c := range s.Contacts {
		opts = append(opts, alicerttest.WithContact(c.Name, c.Email, c.Mobile))
	}
	for _, r := range s.Resources {
		opts = append(opts, alicerttest.WithCloudResource(r))
	}
	return opts
}

// apply seeds what has no option: certificates and quota.
func (s *fakeSeedFile) apply(srv *alicerttest.Server) {
	for _, c := range s.Certificates {
		srv.SeedCertificate(c)
	}
	for code, n := range s.Quota {
		srv.SetPackageQuota(code, n)
	}
}

// fakeStore is the -state directory.
type fakeStore struct {
	dir  string
	mu   sync.Mutex
	last []byte // what was written last
}

// fakeStateFile is the name of the state file in the -state directory.
const fakeStateFile = "fake-state.json"

// fakeStateVersion is the version of the file's own wrapping.
const fakeStateVersion = 1

// storedFake is the state file: the verb's own fields around the
// alicerttest snapshot.
type storedFake struct {
	Version     int             `json:"version"`
	ClockOffset string          `json:"clockOffset"`
	Server      json.RawMessage `json:"server"`
}

// loadedFake is a state file read back.
type loadedFake struct {
	state       *alicerttest.State
	clockOffset time.Duration
}

// load reads the state file; nil when there is none yet.
func (st *fakeStore) load() (*loadedFake, error) {
	if err := os.MkdirAll(st.dir, 0o700); err != nil {
		return nil, err
	}
	path := filepath.Join(st.dir, fakeStateFile)
	fi, err := os.Lstat(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file (a link?): refusing it", path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	damaged := func(why string) error {
		return fmt.Errorf("%s is damaged (%s): move it away to start afresh", path, why)
	}
	var sf storedFake
	if err := decodeStrict(strings.NewReader(string(b)), &sf); err != nil {
		return nil, damaged(strings.TrimPrefix(err.Error(), "bad JSON body: "))
	}
	if sf.Version != fakeStateVersion {
		return nil, damaged(fmt.Sprintf("version %d, want %d", sf.Version, fakeStateVersion))
	}
	off, err := time.ParseDuration(sf.ClockOffset)
	if err != nil {
		return nil, damaged("clockOffset is not a duration")
	}
	state, err := alicerttest.ParseState(sf.Server)
	if err != nil {
		return nil, damaged(err.Error())
	}
	st.last = b
	return &loadedFake{state: state, clockOffset: off}, nil
}

// save writes the state file when it differs from the last one written.
func (st *fakeStore) save(snapshot []byte, offset time.Duration) error {
	b, err := json.Marshal(storedFake{Version: fakeStateVersion, ClockOffset: offset.String(), Server: snapshot})
	if err != nil {
		return err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if string(b) == string(st.last) {
		return nil
	}
	if err := writeFileAtomic(filepath.Join(st.dir, fakeStateFile), b, 0o600); err != nil {
		return err
	}
	st.last = b
	return nil
}

// writeFileAtomic replaces path with data as the command replaces every
// file it writes (store.WriteFiles): a synced temporary file in the same
// directory renamed over path, which replaces a link rather than writing
// through it.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	return store.WriteFiles(filepath.Dir(path), []store.File{{Name: filepath.Base(path), Data: data, Perm: perm}})
}

// endpointFlags are the -cas-endpoint, -kms-endpoint and -dns-endpoint
// flags of every verb, which point it at another service, such as alicert
// fake. Unset, the client reads ALICERT_CAS_ENDPOINT and the others, then
// takes the region's endpoints.
type endpointFlags struct {
	cas, kms, dns string
}

func (e *endpointFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&e.cas, "cas-endpoint", "", "CAS endpoint URL, such as alicert fake's (default $"+alicert.EnvCASEndpoint+", else the region's); http:// for loopback only")
	fs.StringVar(&e.kms, "kms-endpoint", "", "KMS endpoint URL (default $"+alicert.EnvKMSEndpoint+", else the region's)")
	fs.StringVar(&e.dns, "dns-endpoint", "", "Alidns endpoint URL (default $"+alicert.EnvDNSEndpoint+", else the region's)")
}

// options are the client options of the flags given.
func (e *endpointFlags) options() []alicert.Option {
	var opts []alicert.Option
	if e.cas != "" {
		opts = append(opts, alicert.WithCASEndpoint(e.cas))
	}
	if e.kms != "" {
		opts = append(opts, alicert.WithKMSEndpoint(e.kms))
	}
	if e.dns != "" {
		opts = append(opts, alicert.WithDNSEndpoint(e.dns))
	}
	return opts
}

// localEndpoint reports whether g's CAS endpoint (-cas-endpoint, else
// ALICERT_CAS_ENDPOINT) is on a loopback host, as alicert fake's is. Such
// a run issues certificates of a test CA, so obtain keeps one as it keeps
// a real one, rather than replacing it as the leftover of a -fake run.
func (c *cli) localEndpoint(g common) bool {
	raw := g.endpoints.cas
	if raw == "" && c.getenv != nil {
		raw = c.getenv(alicert.EnvCASEndpoint)
	}
	u, err := url.Parse(raw)
	if err != nil || raw == "" {
		return false
	}
	host := u.Hostname()
	ip := net.ParseIP(host)
	return host == "localhost" || ip != nil && ip.IsLoopback()
}
