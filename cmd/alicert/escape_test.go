package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/alicerttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hostileName is a certificate name as a hostile service may give one: it
// retitles the window, clears the screen, reverses the text after it,
// hides a zero-width space and a C1 control, and breaks the line.
const hostileName = "prod\x1b]0;owned\x07\x1b[2J\u202eevil\u200b\u009b\nforged"

// requireNoTerminalControl fails when out holds a character a terminal
// acts on, other than the newlines and tabs the command writes itself.
func requireNoTerminalControl(t *testing.T, out string) {
	t.Helper()
	for _, r := range out {
		if r != '\n' && r != '\t' {
			require.False(t, needsEscape(r), "%q holds %U", out, r)
		}
	}
}

func TestShownEscapesWhatATerminalActsOn(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"www.example.com":      "www.example.com",
		"bücher.example.com":   "bücher.example.com",
		hostileName:            `prod\x1b]0;owned\x07\x1b[2J\u202eevil\u200b\x9b\x0aforged`,
		"tab\there":            `tab\x09here`,
		`a\x1b`:                `a\\x1b`,
		"bad\xffutf8":          `bad\xffutf8`,
		"line\u2028sep\ufeff":  `line\u2028sep\ufeff`,
		"tag\U000E0041":        `tag\U000e0041`,
		"del\x7f":              `del\x7f`,
		"rtl isolate\u2067x":   `rtl isolate\u2067x`,
		"zero\u200dwidth join": `zero\u200dwidth join`,
	} {
		assert.Equal(t, want, shown(in), "%q", in)
	}
}

// TestListEscapesTheServiceNames: a certificate name from the service
// reaches the table escaped, and the JSON exactly, with every character a
// terminal acts on as a JSON escape.
func TestListEscapesTheServiceNames(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	end := time.Now().Add(30 * 24 * time.Hour)
	srv.SeedCertificate(alicerttest.SeedCertificate{Name: hostileName, Domain: "www.example.com",
		NotBefore: end.Add(-90 * 24 * time.Hour), NotAfter: end})

	r := runCmd(t, srv, "list", "-fake")
	require.Equal(t, exitOK, r.code, r.stderr)
	requireNoTerminalControl(t, r.stdout)
	assert.Contains(t, r.stdout, shown(hostileName))
	assert.Equal(t, 2, strings.Count(r.stdout, "\n"), "a header and one row: %q", r.stdout)

	r = runCmd(t, srv, "list", "-fake", "-json")
	require.Equal(t, exitOK, r.code, r.stderr)
	requireNoTerminalControl(t, r.stdout)
	var got []listedCert
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &got))
	require.Len(t, got, 1)
	assert.Equal(t, hostileName, got[0].Name, "the JSON holds the name exactly")
}

// TestDeployTableAndMessagesEscapeTheService: the deploy table escapes the
// names and statuses of the workers, -json keeps them exact, and an error
// line escapes what it quotes.
func TestDeployTableAndMessagesEscapeTheService(t *testing.T) {
	t.Parallel()
	out := &alicert.DeployOutput{JobID: 9, Name: "job", Status: alicert.JobSuccess, Workers: []alicert.WorkerResource{
		{ID: 1, ResourceID: 2, CloudProduct: "CDN\x1b[31m", ResourceDomain: hostileName, Status: "success\u202e", CertID: 3},
	}}
	var table bytes.Buffer
	require.NoError(t, printDeploy(&table, out, false))
	requireNoTerminalControl(t, table.String())
	assert.Contains(t, table.String(), shown(hostileName))
	assert.Equal(t, 2, strings.Count(table.String(), "\n"), "a header and one row: %q", table.String())

	var doc bytes.Buffer
	require.NoError(t, printDeploy(&doc, out, true))
	requireNoTerminalControl(t, doc.String())
	var res deployResult
	require.NoError(t, json.Unmarshal(doc.Bytes(), &res))
	assert.Equal(t, hostileName, res.Resources[0].Domain)
	assert.Equal(t, "success\u202e", res.Resources[0].Status)

	var stderr bytes.Buffer
	c := &cli{stderr: &stderr}
	c.errorf("%v", errors.New("alicert: Deploy: resource "+hostileName+" failed"))
	c.errorf("%s", "job "+hostileName)
	requireNoTerminalControl(t, stderr.String())
	lines := strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n")
	require.Len(t, lines, 3, "the error's own newline stays, the string's is escaped: %q", stderr.String())
	assert.True(t, strings.HasPrefix(lines[0], "alicert: Deploy: resource prod"))
	assert.Equal(t, "  forged failed", lines[1], "the error's second line is indented")
	assert.True(t, strings.HasPrefix(lines[2], `alicert: job prod\x1b]0;owned`))
}
