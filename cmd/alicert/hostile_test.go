package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/internal/testkit"
	"github.com/stretchr/testify/assert"
)

// scripted returns a cli whose client talks to srv, with fast retries.
func scripted(srv *testkit.Server) *cli {
	return &cli{clientOptions: []alicert.Option{
		alicert.WithAccessKey("LTAI5tHostileTestKey01", "hostile-test-secret-never-print"),
		alicert.WithCASEndpoint(srv.URL), alicert.WithKMSEndpoint(srv.URL), alicert.WithDNSEndpoint(srv.URL),
		alicert.WithRetryDelay(time.Millisecond, 2*time.Millisecond),
	}}
}

// TestListEndsOnAServiceThatIgnoresThePageNumber: the same full page for
// every page, with no total, is an error after the second page, not an
// endless listing.
func TestListEndsOnAServiceThatIgnoresThePageNumber(t *testing.T) {
	t.Parallel()
	entries := make([]string, 50)
	for i := range entries {
		entries[i] = fmt.Sprintf(`{"CertificateId":%d,"Name":"c%d","Status":"ISSUED"}`, i+1, i+1)
	}
	page := `{"RequestId":"R","CertificateOrderList":[` + strings.Join(entries, ",") + `],"TotalCount":0}`
	srv := testkit.NewScripted(t, testkit.JSON(200, page))
	r := runCLI(t, scripted(srv), "list", "-json")
	assert.Equal(t, exitFailure, r.code)
	assert.Empty(t, r.stdout)
	assert.Contains(t, r.stderr, "page 2 repeats page 1")
	assert.Equal(t, 2, srv.Attempts())
}

// TestDeployTimeoutCoversTheResourceLookUp: -timeout bounds the look-up of
// the resources serving the old certificate, not only the job: a service
// that never answers it does not keep the command running.
func TestDeployTimeoutCoversTheResourceLookUp(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	srv := testkit.NewServer(t, func(testkit.Request) testkit.Reply {
		<-release
		return testkit.JSON(500, `{"Code":"InternalError"}`)
	})
	t.Cleanup(func() { close(release) }) // runs before the server closes
	r := runCLI(t, scripted(srv), "deploy", "-cert", "6", "-replace", "5", "-timeout", "1s", "-q")
	assert.Equal(t, exitFailure, r.code, r.stderr)
	assert.Contains(t, r.stderr, "deadline exceeded")
	assert.Equal(t, 1, srv.Calls("ListCloudResources"))
}
