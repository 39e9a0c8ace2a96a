package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// These tests run alicert fake as a process of its own, on a free port,
// and alicert's verbs in processes of their own against it through the
// ALICERT_*_ENDPOINT variables it prints, as a user would.

// alicertBin builds the command once into dir.
func alicertBin(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "alicert")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	return bin
}

// fakeProc is a running alicert fake.
type fakeProc struct {
	home   string // the HOME of the verbs run against it (deploy keeps its locks there)
	cmd    *exec.Cmd
	start  fakeStart
	stderr *bytes.Buffer
	waited bool
}

// startFakeProc starts "alicert fake -json" with args and reads what it
// prints at start.
func startFakeProc(t *testing.T, bin string, args ...string) *fakeProc {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"fake", "-json", "-listen", "127.0.0.1:0"}, args...)...)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	fp := &fakeProc{home: t.TempDir(), cmd: cmd, stderr: new(bytes.Buffer)}
	cmd.Stderr = fp.stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		if !fp.waited {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	line, err := bufio.NewReader(stdout).ReadBytes('\n')
	require.NoError(t, err, "alicert fake printed nothing; stderr: %s", fp.stderr)
	require.NoError(t, json.Unmarshal(line, &fp.start))
	return fp
}

// stop sends SIGTERM and requires a clean exit.
func (fp *fakeProc) stop(t *testing.T) {
	t.Helper()
	require.NoError(t, fp.cmd.Process.Signal(syscall.SIGTERM))
	err := fp.cmd.Wait()
	fp.waited = true
	require.NoError(t, err, "alicert fake on SIGTERM; stderr: %s", fp.stderr)
}

// env is the environment of a verb run against the fake: its export lines
// and the applicant's details, in a home of the fake's runs (no CLI
// profile; the one place of deploy's locks).
func (fp *fakeProc) env() []string {
	env := []string{"HOME=" + fp.home, "XDG_CACHE_HOME=" + filepath.Join(fp.home, ".cache"), "PATH=" + os.Getenv("PATH"),
		"ALICERT_USERNAME=Test User", "ALICERT_PHONE=13800000000", "ALICERT_EMAIL=test@example.com"}
	for k, v := range fp.start.Env {
		env = append(env, k+"="+v)
	}
	return env
}

// cliRun is one finished verb run.
type cliRun struct {
	code           int
	stdout, stderr string
}

// runVerb runs alicert with args in a process of its own against fp; it
// may run in a goroutine of its own.
func runVerb(t *testing.T, bin string, fp *fakeProc, args ...string) cliRun {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = fp.env()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := cliRun{stdout: stdout.String(), stderr: stderr.String()}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		r.code = exit.ExitCode()
	case err != nil: // not started: no exit code (a goroutine may not FailNow)
		r.code, r.stderr = -1, err.Error()
	}
	return r
}

// counters reads the fake's counters from its admin port.
func (fp *fakeProc) counters(t *testing.T) fakeCounters {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, fp.start.AdminEndpoint+"/counters", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+fp.start.AdminToken)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var c fakeCounters
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&c))
	return c
}

// adminPost posts body to the admin path and returns the status.
func (fp *fakeProc) adminPost(t *testing.T, path, token, body string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, fp.start.AdminEndpoint+path, strings.NewReader(body))
	require.NoError(t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	return resp.StatusCode
}

// writeSeed writes a seed file: the zone example.com, a contact, and a CDN
// domain www.example.com serving certificate 1001.
func writeSeed(t *testing.T) string {
	path := filepath.Join(t.TempDir(), "seed.json")
	require.NoError(t, os.WriteFile(path, []byte(`{
		"zones": ["example.com"],
		"contacts": [{"name": "Ops", "email": "ops@example.com", "mobile": "13800000000"}],
		"resources": [{"CloudProduct": "CDN", "Domain": "www.example.com", "CertID": 1001}],
		"quota": {"digicert-free-1-free": 7}
	}`), 0o600))
	return path
}

func TestFakeServerProcess(t *testing.T) {
	bin := alicertBin(t, t.TempDir())

	t.Run("refuses a non-loopback address", func(t *testing.T) {
		out, err := exec.Command(bin, "fake", "-listen", "0.0.0.0:0").CombinedOutput()
		var exit *exec.ExitError
		require.ErrorAs(t, err, &exit)
		assert.Equal(t, exitUsage, exit.ExitCode())
		assert.Contains(t, string(out), "not a loopback address")
	})

	t.Run("refuses a damaged state file in one line", func(t *testing.T) {
		state := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(state, fakeStateFile), []byte(`{"version":1,"clockOffset":"0s","server":{`), 0o600))
		var stderr bytes.Buffer
		cmd := exec.Command(bin, "fake", "-state", state)
		cmd.Stderr = &stderr
		err := cmd.Run()
		var exit *exec.ExitError
		require.ErrorAs(t, err, &exit)
		assert.Equal(t, exitFailure, exit.ExitCode())
		assert.Contains(t, stderr.String(), "is damaged")
		assert.Equal(t, 1, strings.Count(stderr.String(), "\n"), stderr.String())
	})

	t.Run("seeds certificates, and refuses a bad seed in one line", func(t *testing.T) {
		seed := filepath.Join(t.TempDir(), "seed.json")
		require.NoError(t, os.WriteFile(seed, []byte(`{"certificates": [{"Name": "shop", "Domain": "shop.example.com",
			"NotBefore": "2026-01-01T00:00:00Z", "NotAfter": "2036-01-01T00:00:00Z"}]}`), 0o600))
		fp := startFakeProc(t, bin, "-seed", seed)
		r := runVerb(t, bin, fp, "list", "-json")
		require.Equal(t, exitOK, r.code, r.stderr)
		assert.Contains(t, r.stdout, `"name": "shop"`)
		fp.stop(t)

		require.NoError(t, os.WriteFile(seed, []byte(`{"certificates": [{"Name": "x"}], "clockOffset": "soon", "colour": 1}`), 0o600))
		out, err := exec.Command(bin, "fake", "-seed", seed).CombinedOutput()
		var exit *exec.ExitError
		require.ErrorAs(t, err, &exit)
		assert.Equal(t, exitFailure, exit.ExitCode())
		assert.Contains(t, string(out), "colour")
		assert.Equal(t, 1, strings.Count(string(out), "\n"), string(out))
	})

	t.Run("admin needs its token, and the RPC port serves no admin", func(t *testing.T) {
		fp := startFakeProc(t, bin)
		assert.Equal(t, http.StatusUnauthorized, fp.adminPost(t, "/clock", "", `{"advance": "1h"}`))
		assert.Equal(t, http.StatusUnauthorized, fp.adminPost(t, "/clock", "wrong", `{"advance": "1h"}`))
		assert.Equal(t, http.StatusOK, fp.adminPost(t, "/clock", fp.start.AdminToken, `{"advance": "1h"}`))
		req, err := http.NewRequest(http.MethodGet, fp.start.Endpoint+"/counters", nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+fp.start.AdminToken)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		body := new(bytes.Buffer)
		_, _ = body.ReadFrom(resp.Body)
		resp.Body.Close()
		assert.NotContains(t, body.String(), `"orders"`, "the RPC port answers as the service does")

		assert.Equal(t, http.StatusBadRequest, fp.adminPost(t, "/faults", fp.start.AdminToken, `{"action": "ListContact", "kind": "FaultNope"}`))
		assert.Equal(t, http.StatusBadRequest, fp.adminPost(t, "/clock", fp.start.AdminToken, `{"advance": "-1h"}`))
		req, err = http.NewRequest(http.MethodGet, fp.start.AdminEndpoint+"/clock", nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+fp.start.AdminToken)
		resp, err = http.DefaultClient.Do(req)
		require.NoError(t, err)
		var clock fakeClock
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&clock))
		resp.Body.Close()
		assert.Equal(t, "1h0m0s", clock.Offset, "the advance above moved the clock on, the refused one did not")
		fp.stop(t)
	})

	t.Run("-tls: the CLI trusts the fake through SSL_CERT_FILE", func(t *testing.T) {
		ca := filepath.Join(t.TempDir(), "ca.pem")
		fp := startFakeProc(t, bin, "-tls", "-ca-file", ca)
		assert.Equal(t, ca, fp.start.Env["SSL_CERT_FILE"])
		assert.True(t, strings.HasPrefix(fp.start.Endpoint, "https://127.0.0.1:"), fp.start.Endpoint)
		r := runVerb(t, bin, fp, "quota")
		assert.Equal(t, exitOK, r.code, r.stderr)

		delete(fp.start.Env, "SSL_CERT_FILE")
		r = runVerb(t, bin, fp, "quota")
		assert.Equal(t, exitFailure, r.code, "without the CA, the certificate is not trusted")
		fp.stop(t)
	})

	t.Run("an injected fault reaches the CLI", func(t *testing.T) {
		fp := startFakeProc(t, bin)
		require.Equal(t, http.StatusNoContent, fp.adminPost(t, "/faults", fp.start.AdminToken,
			`{"action": "ListUserCertificateOrder", "kind": "FaultInternalError", "times": 5}`))
		r := runVerb(t, bin, fp, "list")
		assert.Equal(t, exitFailure, r.code, r.stderr)
		assert.Contains(t, r.stderr, "InternalError")
		assert.Positive(t, fp.counters(t).Requests["ListUserCertificateOrder"])
		fp.stop(t)
	})

	t.Run("state survives a restart: renewal, renew-and-deploy", func(t *testing.T) {
		state, out := t.TempDir(), t.TempDir()
		fp := startFakeProc(t, bin, "-state", state, "-seed", writeSeed(t))
		obtain := []string{"obtain", "-domain", "www.example.com", "-out", out, "-deploy", "-poll", "10ms"}
		r := runVerb(t, bin, fp, obtain...)
		require.Equal(t, exitOK, r.code, r.stderr)
		assert.Contains(t, r.stdout, "deployed to 1 cloud resources")
		first := fp.start
		fp.stop(t)

		fi, err := os.Stat(filepath.Join(state, fakeStateFile))
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), "the state holds private keys")

		fp = startFakeProc(t, bin, "-state", state)
		assert.Equal(t, first.AccessKeyID, fp.start.AccessKeyID, "the AccessKey pair is kept")
		c := fp.counters(t)
		assert.Equal(t, 1, c.Orders)
		assert.Equal(t, 1, c.DeploymentJobs)

		r = runVerb(t, bin, fp, obtain...)
		require.Equal(t, exitOK, r.code, r.stderr)
		assert.Equal(t, 1, fp.counters(t).Orders, "a valid certificate is not renewed")

		r = runVerb(t, bin, fp, append(obtain, "-renew-within", "400d")...)
		require.Equal(t, exitOK, r.code, r.stderr)
		assert.Contains(t, r.stdout, "deployed to 1 cloud resources", "the renewal replaces the first rollout")
		c = fp.counters(t)
		assert.Equal(t, 2, c.Orders)
		assert.Equal(t, 2, c.DeploymentJobs)

		r = runVerb(t, bin, fp, "quota", "-json")
		require.Equal(t, exitOK, r.code, r.stderr)
		assert.Contains(t, r.stdout, `"bought": 7`, "the seeded quota is kept")
		fp.stop(t)
	})

	t.Run("the Private CA: pca issue from the sub-CA it prints, kept across a restart", func(t *testing.T) {
		state, out := t.TempDir(), t.TempDir()
		fp := startFakeProc(t, bin, "-state", state)
		sub := fp.start.PrivateCA.SubCAIdentifier
		require.NotEmpty(t, sub)
		require.NotEmpty(t, fp.start.PrivateCA.RootIdentifier)
		r := runVerb(t, bin, fp, "pca", "issue", "-ca", sub, "-domain", "api.internal", "-out", out, "-usage", "client", "-json")
		require.Equal(t, exitOK, r.code, r.stderr)
		var issued pcaIssued
		require.NoError(t, json.Unmarshal([]byte(r.stdout), &issued))
		fp.stop(t)

		fp = startFakeProc(t, bin, "-state", state)
		assert.Equal(t, sub, fp.start.PrivateCA.SubCAIdentifier, "the seeded CAs are kept")
		r = runVerb(t, bin, fp, "pca", "list", "-certs", "-json")
		require.Equal(t, exitOK, r.code, r.stderr)
		assert.Contains(t, r.stdout, `"identifier": "`+issued.Identifier+`"`)
		r = runVerb(t, bin, fp, "pca", "list")
		require.Equal(t, exitOK, r.code, r.stderr)
		assert.Regexp(t, sub+`\s+SUB_ROOT\s+ISSUE\s+.*\s+999\s+1000\n`, r.stdout)
		fp.stop(t)
	})

	t.Run("resume after a crash", func(t *testing.T) {
		out := t.TempDir()
		fp := startFakeProc(t, bin, "-reads-per-state", "20")
		cmd := exec.Command(bin, "obtain", "-domain", "shop.example.com", "-out", out, "-poll", "20ms")
		cmd.Env = fp.env()
		require.NoError(t, cmd.Start())
		statePath := filepath.Join(out, "alicert-state.json")
		for {
			b, err := os.ReadFile(statePath)
			if err == nil && bytes.Contains(b, []byte(`"order_id"`)) {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		require.NoError(t, cmd.Process.Kill())
		_ = cmd.Wait()
		require.Equal(t, 1, fp.counters(t).Orders)

		r := runVerb(t, bin, fp, "obtain", "-domain", "shop.example.com", "-out", out, "-poll", "20ms")
		require.Equal(t, exitOK, r.code, r.stderr)
		assert.Equal(t, 1, fp.counters(t).Orders, "the rerun resumed the order")
		_, err := os.Stat(filepath.Join(out, "cert.pem"))
		assert.NoError(t, err)
		fp.stop(t)
	})

	t.Run("two concurrent runs of obtain and of deploy", func(t *testing.T) {
		out := t.TempDir()
		fp := startFakeProc(t, bin, "-seed", writeSeed(t))
		runs := make([]cliRun, 2)
		var wg sync.WaitGroup
		for i := range runs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				runs[i] = runVerb(t, bin, fp, "obtain", "-domain", "www.example.com", "-out", out, "-poll", "10ms", "-lock-wait", "1m")
			}()
		}
		wg.Wait()
		for _, r := range runs {
			assert.Equal(t, exitOK, r.code, r.stderr)
		}
		assert.Equal(t, 1, fp.counters(t).Orders, "the second run found the first one's certificate")

		list := runVerb(t, bin, fp, "list", "-json")
		require.Equal(t, exitOK, list.code, list.stderr)
		var certs []struct {
			ID int64 `json:"cert_id"`
		}
		require.NoError(t, json.Unmarshal([]byte(list.stdout), &certs), list.stdout)
		require.Len(t, certs, 1)
		cert := certs[0].ID
		for i := range runs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				runs[i] = runVerb(t, bin, fp, "deploy", "-cert", itoa(cert), "-replace", "1001", "-poll", "10ms", "-lock-wait", "1m")
			}()
		}
		wg.Wait()
		for _, r := range runs {
			assert.Equal(t, exitOK, r.code, r.stderr)
		}
		assert.Equal(t, 1, fp.counters(t).DeploymentJobs, "one deployment job for both runs")
		fp.stop(t)
	})
}

func TestFakeListensOnLoopbackOnly(t *testing.T) {
	for _, ok := range []string{"127.0.0.1:0", "127.0.0.2:8940", "[::1]:0", "localhost:8940"} {
		assert.NoError(t, checkLoopback(ok), ok)
	}
	for _, bad := range []string{":8940", "0.0.0.0:0", "[::]:0", "10.0.0.1:8940", "example.com:80", "127.0.0.1"} {
		assert.Error(t, checkLoopback(bad), bad)
	}
}

// The start-up lines README.md shows for alicert fake are the lines it
// prints, values aside: the same lines, in the same order.
func TestFakeStartLinesMatchREADME(t *testing.T) {
	t.Parallel()
	fk, err := startFake(fakeServeFlags{listen: "127.0.0.1:0", adminListen: "127.0.0.1:0", readsPerState: 1})
	require.NoError(t, err)
	t.Cleanup(func() { _ = fk.shutdown() })
	var out bytes.Buffer
	fk.printStart(&out, false)
	got := strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
	assert.Contains(t, out.String(), "private CA:       sub-CA "+fk.srv.PrivateCA().SubCAIdentifier+" (alicert pca issue -ca ")

	doc, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	_, block, ok := strings.Cut(string(doc), "alicert fake -listen 127.0.0.1:8940 -state ./fake-state -seed seed.json\n")
	require.True(t, ok, "README.md shows alicert fake's start-up")
	block, _, _ = strings.Cut(block, "```")
	var want []string
	for _, line := range strings.Split(strings.TrimRight(block, "\n"), "\n") {
		want = append(want, strings.TrimPrefix(line, "# "))
	}
	values := regexp.MustCompile(`https?://[^\s)]+|[A-Za-z0-9]{3,}\.\.\.|\.\.\.|[A-Za-z0-9]{16,}`)
	masked := func(lines []string) []string {
		out := make([]string, len(lines))
		for i, l := range lines {
			out[i] = values.ReplaceAllString(l, "<value>")
		}
		return out
	}
	assert.Equal(t, masked(want), masked(got))
}
