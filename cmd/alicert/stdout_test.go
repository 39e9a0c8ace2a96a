package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/internal/testkit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Environment variables that make the test binary run one command line, as
// main does, instead of the tests: ALICERT_TEST_ARGS is the command line
// (split on spaces), ALICERT_TEST_CAS the endpoint of the service.
const (
	subprocessArgs     = "ALICERT_TEST_ARGS"
	subprocessEndpoint = "ALICERT_TEST_CAS"
)

func TestMain(m *testing.M) {
	if url := os.Getenv(hookHelperURL); url != "" {
		os.Exit(runHookHelper(url))
	}
	if args := os.Getenv(subprocessArgs); args != "" {
		os.Exit(runAsMain(strings.Fields(args)))
	}
	os.Exit(m.Run())
}

// runAsMain runs args as main does, with the process's own standard output
// and the default credentials chain, against the service at
// ALICERT_TEST_CAS.
func runAsMain(args []string) int {
	c := &cli{stdout: ownStdout(), stderr: os.Stderr, now: time.Now, getenv: os.Getenv, clientOptions: []alicert.Option{
		alicert.WithCASEndpoint(os.Getenv(subprocessEndpoint)), alicert.WithRetryDelay(time.Millisecond, 2*time.Millisecond),
	}}
	return c.run(context.Background(), args)
}

// processSecret is the secret a CLI profile's process_command hands out.
const processSecret = "ProcessCommandSecret-never-print-me-0042"

// runWithProcessCommand runs "alicert list -json" in a process of its own
// whose only credentials are a ~/.aliyun/config.json profile in External
// mode running script, against a service listing one certificate.
func runWithProcessCommand(t *testing.T, script string) result {
	t.Helper()
	home := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(home, ".aliyun"), 0o700))
	command := filepath.Join(home, "credentials.sh")
	require.NoError(t, os.WriteFile(command, []byte("#!/bin/sh\n"+script), 0o700))
	config, err := json.Marshal(map[string]any{"current": "default", "profiles": []map[string]string{
		{"name": "default", "mode": "External", "process_command": command},
	}})
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(home, ".aliyun", "config.json"), config, 0o600))

	srv := testkit.NewScripted(t, testkit.JSON(200, `{"RequestId":"R","TotalCount":1,"CertificateOrderList":[`+
		`{"CertificateId":7,"Name":"shop","CommonName":"shop.example.com","Status":"ISSUED"}]}`))
	cmd := exec.Command(os.Args[0])
	cmd.Env = []string{"HOME=" + home, "PATH=" + os.Getenv("PATH"), "ALIBABA_CLOUD_ECS_METADATA_DISABLED=true",
		subprocessArgs + "=list -json", subprocessEndpoint + "=" + srv.URL}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	code := 0
	if exit, ok := err.(*exec.ExitError); ok {
		code = exit.ExitCode()
	} else {
		require.NoError(t, err)
	}
	return result{code, stdout.String(), stderr.String()}
}

// TestStdoutHoldsOnlyTheCommandsOutput: credentials-go prints to stdout
// when a CLI profile's process_command answers a notice before its JSON
// (the whole answer, secret included), and when it cannot write the
// credentials back to the profile. Neither reaches the command's output:
// -json stays exact JSON, and the secret is printed nowhere.
func TestStdoutHoldsOnlyTheCommandsOutput(t *testing.T) {
	t.Parallel()
	credentials := `{"mode":"AK","access_key_id":"LTAI5tProcessKey","access_key_secret":"` + processSecret + `"}`

	t.Run("a notice before the JSON", func(t *testing.T) {
		t.Parallel()
		r := runWithProcessCommand(t, "echo 'Notice: token refreshed'\necho '"+credentials+"'\n")
		assert.Equal(t, exitFailure, r.code, r.stderr)
		assert.Empty(t, r.stdout)
		assert.Contains(t, r.stderr, "failed to parse external command output")
		assert.NotContains(t, r.stderr, processSecret)
	})

	t.Run("a profile it cannot write back", func(t *testing.T) {
		t.Parallel()
		// The command breaks the profile after it was read: writing the
		// credentials back then fails, and the failure quotes the file.
		r := runWithProcessCommand(t, "echo '{broken "+processSecret+"' > \"$HOME/.aliyun/config.json\"\necho '"+credentials+"'\n")
		require.Equal(t, exitOK, r.code, r.stderr)
		var got []listedCert
		require.NoError(t, json.Unmarshal([]byte(r.stdout), &got), "stdout is JSON: %q", r.stdout)
		require.Len(t, got, 1)
		assert.Equal(t, int64(7), got[0].CertID)
		assert.NotContains(t, r.stdout, processSecret)
		assert.NotContains(t, r.stderr, processSecret)
	})
}
