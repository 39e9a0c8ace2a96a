package main

import (
	"errors"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/alicert/alicert/alicerttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every command's -h is one screen: the synopsis and its most used flags
// first, then where the rest is; "alicert help VERB" has every flag.
func TestHelpFitsOneScreenAndPointsToTheRest(t *testing.T) {
	t.Parallel()
	for _, line := range commandLines() {
		verb := strings.Join(line, " ")
		if verb == "version" {
			continue
		}
		short := runCmd(t, nil, append(line, "-h")...)
		require.Equal(t, exitOK, short.code, verb)
		lines := strings.Split(strings.TrimRight(short.stdout, "\n"), "\n")
		assert.LessOrEqual(t, len(lines), 40, "%s -h is longer than a screen:\n%s", verb, short.stdout)
		assert.True(t, strings.HasPrefix(short.stdout, "usage: alicert "+verb), verb)
		assert.Contains(t, lines[len(lines)-1], "alicert help "+verb, verb)
		flags := strings.Index(short.stdout, "\n  -")
		require.Positive(t, flags, verb)
		assert.Less(t, flags, 40*80, "%s: the flags come on the first screen", verb)
		if main := mainFlags[verb]; len(main) > 0 {
			assert.True(t, strings.HasPrefix(short.stdout[flags+1:], "  -"+main[0]+" ") ||
				strings.HasPrefix(short.stdout[flags+1:], "  -"+main[0]+"\n"), "%s: -%s first", verb, main[0])
		}

		full := runCmd(t, nil, append([]string{"help"}, line...)...)
		require.Equal(t, exitOK, full.code, verb)
		assert.Contains(t, full.stdout, "\nFlags:\n", verb)
		assert.Greater(t, len(full.stdout), len(short.stdout), verb)
		fs := strings.Count(full.stdout, "\n  -")
		assert.GreaterOrEqual(t, fs, strings.Count(short.stdout, "\n  -"), "%s: help shows every flag", verb)
	}
	assert.Contains(t, runCmd(t, nil, "help", "obtain").stdout, "Exit codes")
}

func TestHelpOfAnUnknownCommandSuggests(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ args []string }{{[]string{"help", "obtian"}}, {[]string{"obtian"}}, {[]string{"obt"}}} {
		r := runCmd(t, nil, tc.args...)
		assert.Equal(t, exitUsage, r.code, tc.args)
		assert.Contains(t, r.stderr, `did you mean "obtain"?`, tc.args)
	}
	r := runCmd(t, nil, "frobnicate")
	assert.Equal(t, exitUsage, r.code)
	assert.NotContains(t, r.stderr, "did you mean")
	assert.Equal(t, "status", nearestCommand("stats"))
	assert.Equal(t, "quota", nearestCommand("qouta"))
	assert.Equal(t, "", nearestCommand(strings.Repeat("x", 1000)))
}

func TestHelpListsTheCommands(t *testing.T) {
	t.Parallel()
	r := runCmd(t, nil, "help")
	assert.Equal(t, exitOK, r.code)
	assert.Equal(t, usageText, r.stdout)
	assert.Subset(t, commandNames(), []string{"obtain", "status", "csr", "deploy", "list", "get", "upload", "revoke", "delete", "quota", "pca", "version"})
	assert.NotContains(t, commandNames(), "Run")
}

func TestVersionPrintsTheModuleAndRevision(t *testing.T) {
	t.Parallel()
	info := func() (*debug.BuildInfo, bool) {
		return &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Path: "github.com/alicert/alicert", Version: "v0.3.0"},
			Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "0123456789abcdef"}, {Key: "vcs.time", Value: "2026-12-01T10:00:00Z"},
				{Key: "vcs.modified", Value: "true"}}}, true
	}
	for _, args := range [][]string{{"version"}, {"-version"}, {"--version"}} {
		r := runCLI(t, &cli{buildInfo: info}, args...)
		assert.Equal(t, exitOK, r.code, args)
		assert.Equal(t, "alicert v0.3.0 revision 0123456789abcdef 2026-12-01T10:00:00Z (modified) go1.26.0\n", r.stdout, args)
	}
	j := runCLI(t, &cli{buildInfo: info}, "version", "-json")
	assert.JSONEq(t, `{"version":"v0.3.0","revision":"0123456789abcdef","time":"2026-12-01T10:00:00Z","modified":true,"go":"go1.26.0"}`, j.stdout)
	none := runCLI(t, &cli{buildInfo: func() (*debug.BuildInfo, bool) { return nil, false }}, "version")
	assert.Equal(t, "alicert unknown\n", none.stdout)
	assert.Equal(t, exitOK, none.code)
	// The real build information, whatever the toolchain recorded.
	assert.True(t, strings.HasPrefix(runCmd(t, nil, "version").stdout, "alicert "))
}

// A message that wraps a library error says "alicert: " once.
func TestErrorsCarryOnePrefix(t *testing.T) {
	t.Parallel()
	var stderr strings.Builder
	c := &cli{stderr: &stderr}
	c.errorf("reading order %d: %v", 5, errors.New("alicert: DescribeCertificateState: HTTP 404 NotFound"))
	assert.Equal(t, "alicert: reading order 5: DescribeCertificateState: HTTP 404 NotFound\n", stderr.String())

	srv := deployFake(t)
	srv.InjectFault("UpdateDeploymentJobStatus", alicerttest.Fault{Kind: alicerttest.FaultThrottle}, 3)
	r := runCmd(t, srv, "deploy", "-fake", "-cert", "2002", "-replace", "1001")
	assert.Equal(t, exitFailure, r.code)
	for _, line := range strings.Split(strings.TrimSpace(r.stderr), "\n") {
		assert.LessOrEqual(t, strings.Count(line, "alicert: "), 1, line)
	}
	assert.Contains(t, r.stderr, "alicert: Deploy: starting job")
}

// Every command has -json.
func TestEveryCommandHasJSON(t *testing.T) {
	t.Parallel()
	for _, line := range commandLines() {
		assert.Contains(t, runCmd(t, nil, append([]string{"help"}, line...)...).stdout, "\n  -json", line)
	}
}

// A verb with commands of its own (pca) lists them on -h, and "alicert
// help VERB" gives the whole help of each; "alicert help VERB COMMAND"
// one of them; an unknown command is one usage line that suggests the
// nearest.
func TestHelpOfAVerbWithCommands(t *testing.T) {
	t.Parallel()
	short := runCmd(t, nil, "pca", "-h")
	require.Equal(t, exitOK, short.code)
	full := runCmd(t, nil, "help", "pca")
	require.Equal(t, exitOK, full.code)
	for _, sub := range pcaCommands {
		assert.Contains(t, short.stdout, "\n  "+sub+" ", sub)
		one := runCmd(t, nil, "help", "pca", sub)
		require.Equal(t, exitOK, one.code, sub)
		assert.True(t, strings.HasPrefix(one.stdout, "usage: alicert pca "+sub+" "), one.stdout)
		assert.Contains(t, full.stdout, one.stdout, "help pca holds help pca %s", sub)
	}
	assert.Equal(t, 3, strings.Count(full.stdout, "\nFlags:\n"))

	r := runCmd(t, nil, "pca")
	assert.Equal(t, exitUsage, r.code)
	assert.Equal(t, pcaUsageText, r.stderr)
	r = runCmd(t, nil, "pca", "isue", "-fake")
	usageLine(t, r, "pca", `did you mean "issue"?`)
	r = runCmd(t, nil, "help", "pca", "nope")
	assert.Equal(t, exitUsage, r.code)
	r = runCmd(t, nil, "help", "list", "issue")
	assert.Equal(t, exitUsage, r.code, "list has no commands")
}
