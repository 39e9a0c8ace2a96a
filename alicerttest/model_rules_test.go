package alicerttest_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The fake enforces, with its own code, the rules the official models
// state; these requests go past the client, raw.

// TestFakeUploadNameFollowsTheModel: "The name can be up to 63 characters
// long and can contain letters, digits, and underscores (_)"
// (UploadUserCertificateRequest).
func TestFakeUploadNameFollowsTheModel(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	certPEM, keyPEM := selfSigned(t)
	upload := func(name string) rawResult {
		return raw{params: map[string]string{"Action": "UploadUserCertificate", "Version": casVersion,
			"Name": name, "Cert": certPEM, "Key": keyPEM}}.send(t, srv)
	}
	for _, name := range []string{"web-2025", "www.example.com", "my cert", "证书", strings.Repeat("n", 64)} {
		res := upload(name)
		assert.Equal(t, http.StatusBadRequest, res.status, name)
		assert.Equal(t, "InvalidParameter", res.doc.Code, name)
		assert.Contains(t, res.doc.Message, `"Name"`, name)
	}
	res := upload("Web_2025_" + strings.Repeat("n", 54))
	require.Equal(t, http.StatusOK, res.status, "63 letters, digits and underscores: %s", res.body)
}
