package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// Without credentials, a command says so in three lines that name what to
// set, with nothing of the dependency's own wording when nothing is
// configured at all.
func TestMissingCredentialsFitThreeLines(t *testing.T) {
	for _, k := range []string{
		"ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_SECURITY_TOKEN",
		"ALIBABA_CLOUD_ROLE_ARN", "ALIBABA_CLOUD_OIDC_PROVIDER_ARN", "ALIBABA_CLOUD_OIDC_TOKEN_FILE",
		"ALIBABA_CLOUD_OIDC_TOKEN", "ALIBABA_CLOUD_CREDENTIALS_URI", "ALIBABA_CLOUD_CONFIG_FILE",
		"ALIBABA_CLOUD_CREDENTIALS_FILE", "ALIBABA_CLOUD_PROFILE", "ALIBABA_CLOUD_ECS_METADATA",
	} {
		t.Setenv(k, "")
	}
	t.Setenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
	t.Setenv("HOME", t.TempDir())
	for _, args := range [][]string{{"quota"}, {"status", "-order", "5"}, {"list"}} {
		r := runCLI(t, &cli{}, args...)
		assert.Equal(t, exitFailure, r.code, args)
		lines := strings.Split(strings.TrimRight(r.stderr, "\n"), "\n")
		assert.Len(t, lines, 3, r.stderr)
		assert.Equal(t, "alicert: no Alibaba Cloud credentials found", lines[0])
		assert.Contains(t, r.stderr, "ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET")
		assert.NotContains(t, r.stderr, "enviroment")
		for _, l := range lines {
			assert.LessOrEqual(t, len(l), 120, l)
		}
	}
}
