package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/alicert/alicert/alicerttest"
	"github.com/alicert/alicert/cmd/alicert/internal/store"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hookHelperURL, in its environment, makes the test binary a validation
// hook (see TestMain): it posts its environment to that URL and exits
// with the status the answer gives. Its name does not start with ALICERT_,
// which a hook does not inherit.
const hookHelperURL = "VALIDATION_HOOK_TEST_URL"

// runHookHelper is the test binary run as a validation hook: it sends its
// environment to url, and exits 0 when the answer is 200 OK, 3 otherwise.
func runHookHelper(url string) int {
	body, err := json.Marshal(os.Environ())
	if err != nil {
		return 1
	}
	resp, err := http.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintln(os.Stderr, "hook helper: refused")
		return 3
	}
	return 0
}

// hookCall is one run of the test hook: its environment.
type hookCall map[string]string

// testHook is a validation hook that publishes into a fake what it is
// asked to, as a hook does into a DNS host: the test binary run as a hook
// calls back into it.
type testHook struct {
	srv *alicerttest.Server
	// fail makes the actions it names fail, without doing anything.
	fail map[string]bool

	mu    sync.Mutex
	calls []hookCall
	url   string
}

func newTestHook(t *testing.T, srv *alicerttest.Server, failing ...string) *testHook {
	t.Helper()
	h := &testHook{srv: srv, fail: map[string]bool{}}
	for _, a := range failing {
		h.fail[a] = true
	}
	ts := httptest.NewServer(http.HandlerFunc(h.serve))
	t.Cleanup(ts.Close)
	h.url = ts.URL
	return h
}

func (h *testHook) serve(w http.ResponseWriter, req *http.Request) {
	var environ []string
	if err := json.NewDecoder(req.Body).Decode(&environ); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	call := hookCall{}
	for _, kv := range environ {
		k, v, _ := strings.Cut(kv, "=")
		call[k] = v
	}
	h.mu.Lock()
	h.calls = append(h.calls, call)
	h.mu.Unlock()
	action := call["ALICERT_VALIDATION_ACTION"]
	if h.fail[action] {
		http.Error(w, "refused", http.StatusInternalServerError)
		return
	}
	if call["ALICERT_VALIDATION_TYPE"] == "DNS" {
		name, typ, value := call["ALICERT_RECORD_NAME"], call["ALICERT_RECORD_TYPE"], call["ALICERT_RECORD_VALUE"]
		switch action {
		case "present":
			if _, err := h.srv.AddDNSRecord(name, typ, value); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
		case "cleanup":
			h.srv.DeleteDNSRecords(name, typ, value)
		}
	}
}

// Calls returns the hook's runs so far.
func (h *testHook) Calls() []hookCall {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]hookCall(nil), h.calls...)
}

// cli returns a cli whose hooks inherit an environment with credentials
// (which they must not see) and the hook's callback URL.
func (h *testHook) cli() *cli {
	return &cli{fake: h.srv, environ: func() []string {
		return []string{"PATH=" + os.Getenv("PATH"), hookHelperURL + "=" + h.url,
			"ALIBABA_CLOUD_ACCESS_KEY_ID=LTAIexampleid", "ALIBABA_CLOUD_ACCESS_KEY_SECRET=s3cr3t-never-shown"}
	}}
}

// command is the hook's command line: the test binary.
func (h *testHook) command() string { return fmt.Sprintf("'%s'", os.Args[0]) }

// alidnsCalls counts the Alibaba Cloud DNS requests the fake received.
func alidnsCalls(srv *alicerttest.Server) int {
	n := 0
	for _, r := range srv.Requests() {
		switch r.Action {
		case "AddDomainRecord", "DescribeSubDomainRecords", "DeleteDomainRecord", "DescribeDomains", "DescribeDomainRecords":
			n++
		}
	}
	return n
}

// hookTestTimeout bounds the waiting of these runs: should the test hook
// stop publishing the record, a run fails then instead of waiting until
// go test's own limit.
const hookTestTimeout = "2m"

func TestObtainValidationHookPresentsThenCleansUp(t *testing.T) {
	t.Parallel()
	srv := newFake(t) // its CA waits for the record to exist
	h := newTestHook(t, srv)
	dir := t.TempDir()
	r := runCLI(t, h.cli(), "obtain", "-fake", "-domain", "www.example.com", "-out", dir, "-validation-hook", h.command(), "-timeout", hookTestTimeout)
	require.Equal(t, exitOK, r.code, r.stderr)
	checkFiles(t, dir, "www.example.com", srv.CAPool())

	calls := h.Calls()
	require.Len(t, calls, 2, "present, then cleanup")
	for i, action := range []string{"present", "cleanup"} {
		c := calls[i]
		assert.Equal(t, action, c["ALICERT_VALIDATION_ACTION"])
		assert.Equal(t, "DNS", c["ALICERT_VALIDATION_TYPE"])
		assert.Equal(t, "www.example.com", c["ALICERT_DOMAIN"])
		assert.Equal(t, "_dnsauth.www.example.com", c["ALICERT_RECORD_NAME"])
		assert.Equal(t, "TXT", c["ALICERT_RECORD_TYPE"])
		assert.Regexp(t, `^[0-9a-f]{16,}$`, c["ALICERT_RECORD_VALUE"])
		assert.Equal(t, calls[0]["ALICERT_RECORD_VALUE"], c["ALICERT_RECORD_VALUE"])
		for k, v := range c {
			assert.False(t, strings.HasPrefix(k, "ALIBABA_CLOUD_"), k)
			assert.NotContains(t, v, "s3cr3t")
		}
	}
	assert.Empty(t, srv.DNSRecords(), "the hook removed the record")
	assert.Zero(t, alidnsCalls(srv), "Alibaba Cloud DNS is not used")
	assert.Contains(t, r.stderr, "running -validation-hook (present)")
	assert.Contains(t, r.stderr, "running -validation-hook (cleanup)")
}

func TestObtainValidationHookFile(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	h := newTestHook(t, srv)
	dir := t.TempDir()
	r := runCLI(t, h.cli(), "obtain", "-fake", "-domain", "example.com", "-out", dir,
		"-validation-hook", h.command(), "-validation-type", "file", "-timeout", hookTestTimeout)
	require.Equal(t, exitOK, r.code, r.stderr)
	calls := h.Calls()
	require.Len(t, calls, 2)
	for i, action := range []string{"present", "cleanup"} {
		c := calls[i]
		assert.Equal(t, action, c["ALICERT_VALIDATION_ACTION"])
		assert.Equal(t, "FILE", c["ALICERT_VALIDATION_TYPE"])
		assert.Equal(t, "example.com", c["ALICERT_DOMAIN"])
		assert.Equal(t, "/.well-known/pki-validation/fileauth.txt", c["ALICERT_FILE_URI"])
		assert.NotEmpty(t, c["ALICERT_FILE_CONTENT"])
		assert.NotContains(t, c, "ALICERT_RECORD_NAME")
	}
	assert.Contains(t, r.stderr, "alicert: adding file http://example.com/.well-known/pki-validation/fileauth.txt")
	for _, req := range creates(srv) {
		assert.Equal(t, "FILE", req.Params.Get("ValidateType"))
	}
}

// A failing present stops the run before the wait: the order stays in the
// state file, the cleanup still runs (what the present may have left), and
// a rerun resumes the order.
func TestObtainValidationHookFailingPresent(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	h := newTestHook(t, srv, "present")
	dir := t.TempDir()
	args := []string{"obtain", "-fake", "-domain", "example.com", "-out", dir, "-timeout", hookTestTimeout}
	r := runCLI(t, h.cli(), append(args, "-validation-hook", h.command())...)
	require.Equal(t, exitFailure, r.code, r.stderr)
	assert.Contains(t, r.stderr, "the -validation-hook command (")
	assert.Contains(t, r.stderr, "failed on present: exit status 3")
	assert.NotContains(t, r.stderr, "waiting for the CA")
	assert.Contains(t, r.stderr, "rerun to resume order")
	calls := h.Calls()
	require.Len(t, calls, 2)
	assert.Equal(t, "present", calls[0]["ALICERT_VALIDATION_ACTION"])
	assert.Equal(t, "cleanup", calls[1]["ALICERT_VALIDATION_ACTION"])
	st, err := store.LoadState(dir)
	require.NoError(t, err)
	require.NotNil(t, st)
	assert.NotZero(t, st.OrderID)
	assert.NoFileExists(t, filepath.Join(dir, store.CertFile))

	ok := newTestHook(t, srv)
	again := runCLI(t, ok.cli(), append(args, "-validation-hook", ok.command())...)
	require.Equal(t, exitOK, again.code, again.stderr)
	assert.Contains(t, again.stderr, fmt.Sprintf("resuming order %d", st.OrderID))
	assert.Len(t, creates(srv), 1, "no second order")
	assert.Len(t, ok.Calls(), 2)
}

// A failing cleanup after issuance is exit 4, as an Alibaba Cloud DNS
// record that could not be removed: the certificate is written.
func TestObtainValidationHookFailingCleanup(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	h := newTestHook(t, srv, "cleanup")
	dir := t.TempDir()
	r := runCLI(t, h.cli(), "obtain", "-fake", "-domain", "example.com", "-out", dir, "-validation-hook", h.command(), "-timeout", hookTestTimeout)
	require.Equal(t, exitCleanupFailed, r.code, r.stderr)
	assert.Contains(t, r.stderr, "failed on cleanup: exit status 3")
	assert.Contains(t, r.stderr, "by hand")
	assert.Contains(t, r.stderr, "could not remove the DNS record")
	checkFiles(t, dir, "example.com", srv.CAPool())
	assert.Len(t, h.Calls(), 2)
	assert.Len(t, srv.DNSRecords(), 1, "the record the hook did not remove")
}

func TestRenewEntryWithAValidationHook(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	h := newTestHook(t, srv)
	base := t.TempDir()
	cfg := fmt.Sprintf(`{"certificates": [
  {"domain": "api.example.com", "out": "api", "validation_hook": %q},
  {"domain": "shop.example.com", "out": "shop"}
]}`, h.command())
	path := filepath.Join(base, "alicert.json")
	require.NoError(t, os.WriteFile(path, []byte(cfg), 0o600))
	r := runCLI(t, h.cli(), "renew", "-fake", "-config", path, "-timeout", hookTestTimeout)
	require.Equal(t, exitOK, r.code, r.stderr)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	require.Len(t, lines, 2, r.stdout)
	assert.True(t, strings.HasPrefix(lines[0], "api.example.com: renewed"), lines[0])
	assert.True(t, strings.HasPrefix(lines[1], "shop.example.com: renewed"), lines[1])
	calls := h.Calls()
	require.Len(t, calls, 2, "the hook is the first entry's alone")
	for _, c := range calls {
		assert.Equal(t, "_dnsauth.api.example.com", c["ALICERT_RECORD_NAME"])
	}
	checkFiles(t, filepath.Join(base, "api"), "api.example.com", srv.CAPool())
	checkFiles(t, filepath.Join(base, "shop"), "shop.example.com", srv.CAPool())
}

func TestValidationHookUsageErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-validation-hook", " "}, "-validation-hook is empty"},
		{[]string{"-validation-hook", "true", "-dns", "alidns"}, "-dns and -validation-hook exclude each other"},
		{[]string{"-validation-hook", "true", "-dns-zone", "example.com"}, "does not go with -validation-hook"},
		{[]string{"-dns", "cloudflare"}, `-dns "cloudflare": the only DNS provider is alidns; for DNS hosted elsewhere, use -validation-hook`},
		{[]string{"-validation-type", "file"}, "-validation-type file needs -validation-hook"},
		{[]string{"-validation-hook", "true", "-validation-type", "http"}, `-validation-type "http": want "dns" or "file"`},
	} {
		srv := newFake(t)
		r := runCmd(t, srv, append([]string{"obtain", "-fake", "-domain", "example.com", "-out", t.TempDir()}, tc.args...)...)
		assert.Equal(t, exitUsage, r.code, "%v: %s", tc.args, r.stderr)
		assert.Contains(t, r.stderr, tc.want, tc.args)
		assert.Empty(t, srv.Requests(), "%v: nothing is sent", tc.args)
	}

	// A renew entry is checked as its obtain line.
	base := t.TempDir()
	path := filepath.Join(base, "alicert.json")
	require.NoError(t, os.WriteFile(path, []byte(`{"certificates": [
  {"domain": "example.com", "out": "a", "dns": "alidns", "validation_hook": "true"}]}`), 0o600))
	srv := newFake(t)
	r := runCmd(t, srv, "renew", "-fake", "-config", path)
	assert.Equal(t, exitUsage, r.code, r.stderr)
	assert.Contains(t, r.stderr, "-dns and -validation-hook exclude each other")
	assert.Empty(t, creates(srv))
}

// -dry-run with a hook runs no hook, reads no Alibaba Cloud DNS zone, and
// says what it cannot check.
func TestObtainDryRunWithAValidationHook(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	h := newTestHook(t, srv)
	dir := filepath.Join(t.TempDir(), "new")
	r := runCLI(t, h.cli(), "obtain", "-fake", "-dry-run", "-domain", "example.com", "-out", dir, "-validation-hook", h.command())
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "dry run: -validation-hook is not run, and where it publishes the validation is not checked\n")
	assert.Contains(t, r.stdout, "publish its validation with -validation-hook")
	assert.Empty(t, h.Calls())
	assert.Zero(t, alidnsCalls(srv))
	assert.Empty(t, creates(srv))
	assert.NoDirExists(t, dir)
}
