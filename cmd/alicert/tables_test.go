package main

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/alicert/alicert"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// headerKeys turns a table's header line into the JSON keys it names:
// "DAYS LEFT" is days_left.
func headerKeys(t *testing.T, table string) []string {
	t.Helper()
	header, _, _ := strings.Cut(table, "\n")
	var keys []string
	for _, h := range regexp.MustCompile(`\s{2,}`).Split(strings.TrimSpace(header), -1) {
		keys = append(keys, strings.ReplaceAll(strings.ToLower(h), " ", "_"))
	}
	return keys
}

// Each table's headers are the keys of its -json objects.
func TestTableHeadersAreTheJSONKeys(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args    []string
		objects func(doc []byte) ([]map[string]any, error)
	}{
		{[]string{"list", "-fake"}, func(doc []byte) (out []map[string]any, err error) { return out, json.Unmarshal(doc, &out) }},
		{[]string{"pca", "list", "-fake"}, func(doc []byte) (out []map[string]any, err error) { return out, json.Unmarshal(doc, &out) }},
		{[]string{"pca", "list", "-fake", "-certs"}, func(doc []byte) (out []map[string]any, err error) { return out, json.Unmarshal(doc, &out) }},
		{[]string{"quota", "-fake"}, func(doc []byte) ([]map[string]any, error) {
			var one map[string]any
			return []map[string]any{one}, json.Unmarshal(doc, &one)
		}},
		{[]string{"deploy", "-fake", "-cert", "2002", "-replace", "1001"}, func(doc []byte) ([]map[string]any, error) {
			var res struct{ Resources []map[string]any }
			return res.Resources, json.Unmarshal(doc, &res)
		}},
	} {
		table := runCmd(t, nil, tc.args...)
		require.Equal(t, exitOK, table.code, "%v: %s", tc.args, table.stderr)
		asJSON := runCmd(t, nil, append(tc.args, "-json")...)
		require.Equal(t, exitOK, asJSON.code, "%v: %s", tc.args, asJSON.stderr)
		objects, err := tc.objects([]byte(asJSON.stdout))
		require.NoError(t, err, tc.args)
		require.NotEmpty(t, objects, tc.args)
		for _, key := range headerKeys(t, table.stdout) {
			for _, o := range objects {
				assert.Contains(t, o, key, "%v: the table's header has no JSON key", tc.args)
			}
		}
	}
}

// DAYS LEFT counts calendar days, as renewal tools show them: a
// certificate that ends 5 days from now shows 5, whatever the hour.
func TestDaysLeftCountsCalendarDays(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	ends := func(at time.Time) alicert.CertificateOrder {
		return alicert.CertificateOrder{CertEndTime: at.UnixMilli()}
	}
	for _, tc := range []struct {
		end  time.Time
		want int64
	}{
		{now.Add(5*day - time.Millisecond), 5},
		{now.Add(5 * day), 5},
		{time.Date(2026, 12, 11, 0, 30, 0, 0, time.UTC), 5},
		{time.Date(2026, 12, 6, 23, 0, 0, 0, time.UTC), 0},
		{time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC), 1},
		{now.Add(-10*day - time.Hour), -10},
	} {
		assert.Equal(t, tc.want, daysLeft(ends(tc.end), now), tc.end)
	}
	assert.Zero(t, daysLeft(alicert.CertificateOrder{}, now))

	// The fake account's certificate due in 5 days shows 5.
	r := runCmd(t, nil, "list", "-fake", "-json")
	require.Equal(t, exitOK, r.code, r.stderr)
	var certs []listedCert
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &certs))
	found := false
	for _, c := range certs {
		if c.Name == "shop" {
			found = true
			assert.Equal(t, int64(5), c.DaysLeft)
		}
	}
	assert.True(t, found, r.stdout)
}
