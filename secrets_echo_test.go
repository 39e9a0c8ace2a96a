package alicert_test

import (
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/alicerttest"
	"github.com/alicert/alicert/internal/signature"
	"github.com/alicert/alicert/internal/testkit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The tests in this file check that an upload's private key never reaches
// an error, whatever form a service or web firewall echoes the request in,
// and never reaches the fake's record of the requests.

// seKeyPieces are the runs of 12 or more letters and digits of a PEM key's
// base64 body: percent-encoding, form-encoding and JSON escaping leave them
// as they are, so that finding none in a text proves no encoding of the key
// is there. Pieces also found in public (the certificate, which holds the
// same public key) are left out.
func seKeyPieces(t *testing.T, keyPEM, public string) []string {
	t.Helper()
	var body strings.Builder
	for _, line := range strings.Split(keyPEM, "\n") {
		if !strings.HasPrefix(line, "-----") {
			body.WriteString(line)
		}
	}
	var pieces []string
	for _, p := range regexp.MustCompile(`[A-Za-z0-9]{12,}`).FindAllString(body.String(), -1) {
		if !strings.Contains(public, p) {
			pieces = append(pieces, p)
		}
	}
	require.NotEmpty(t, pieces)
	return pieces
}

// seRequireNoKey fails when text holds a piece of the key.
func seRequireNoKey(t *testing.T, label, text string, pieces []string) {
	t.Helper()
	for _, p := range pieces {
		if strings.Contains(text, p) {
			t.Fatalf("%s holds a piece of the private key (%q): %.600s", label, p, text)
		}
	}
}

// seParams are the parameters of a request, from its query (signature V3)
// and its form body, in order.
func seParams(r testkit.Request) [][2]string {
	var out [][2]string
	for _, raw := range []string{r.RawQuery, r.Body} {
		vals, _ := url.ParseQuery(raw)
		keys := make([]string, 0, len(vals))
		for k := range vals {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			for _, v := range vals[k] {
				out = append(out, [2]string{k, v})
			}
		}
	}
	return out
}

// seJoin writes params as k=v&..., each name and value through enc.
func seJoin(params [][2]string, enc func(string) string) string {
	parts := make([]string, len(params))
	for i, p := range params {
		parts[i] = enc(p[0]) + "=" + enc(p[1])
	}
	return strings.Join(parts, "&")
}

// seEchoForms are the forms in which an echoing service may quote the
// request it got.
var seEchoForms = map[string]func(r testkit.Request) string{
	"as sent":         func(r testkit.Request) string { return r.RawQuery + "\n" + r.Body },
	"form-encoded":    func(r testkit.Request) string { return seJoin(seParams(r), url.QueryEscape) },
	"percent-encoded": func(r testkit.Request) string { return seJoin(seParams(r), signature.Encode) },
	"encoded twice": func(r testkit.Request) string {
		return seJoin(seParams(r), func(s string) string { return signature.Encode(signature.Encode(s)) })
	},
	"plus for space": func(r testkit.Request) string {
		return seJoin(seParams(r), func(s string) string { return strings.ReplaceAll(s, " ", "+") })
	},
	"decoded": func(r testkit.Request) string { return seJoin(seParams(r), func(s string) string { return s }) },
	// A web firewall may quote only the parameter it blocked.
	"the blocked parameter": func(r testkit.Request) string {
		var key [][2]string
		for _, p := range seParams(r) {
			if p[0] == "Key" {
				key = append(key, p)
			}
		}
		return seJoin(key, url.QueryEscape)
	},
}

// seEchoPages wrap an echo in an error page.
var seEchoPages = map[string]func(echo string) testkit.Reply{
	"json 400": func(echo string) testkit.Reply {
		doc, _ := json.Marshal(map[string]string{"Code": "InvalidParameter", "RequestId": "ECHO", "Message": "bad request: " + echo})
		return testkit.JSON(400, string(doc))
	},
	"html 502": func(echo string) testkit.Reply {
		return testkit.Reply{Status: 502, Header: map[string]string{"Content-Type": "text/html"},
			Body: "<html><body><h1>502 Bad Gateway</h1><pre>" + echo + "</pre></body></html>"}
	},
	"html 403 of a web firewall": func(echo string) testkit.Reply {
		return testkit.Reply{Status: 403, Header: map[string]string{"Content-Type": "text/html"},
			Body: "<html><body>Request blocked: <code>" + echo + "</code></body></html>"}
	},
}

// TestUploadKeyNeverInErrorsOfAnEchoingService: a service or web firewall
// that quotes the request in its error page, in any encoding, under either
// signature version, does not put the uploaded private key into the error.
func TestUploadKeyNeverInErrorsOfAnEchoingService(t *testing.T) {
	t.Parallel()
	cert, key := lcFile(t, "cert.pem"), lcFile(t, "key.pem")
	pieces := seKeyPieces(t, key, cert)
	for _, alg := range []alicert.SignatureAlgorithm{alicert.SignatureHMACSHA1, alicert.SignatureACS3HMACSHA256} {
		for formName, form := range seEchoForms {
			for pageName, page := range seEchoPages {
				t.Run(alg.String()+"/"+formName+"/"+pageName, func(t *testing.T) {
					t.Parallel()
					var echoed string
					srv := testkit.NewServer(t, func(r testkit.Request) testkit.Reply {
						echoed = form(r)
						return page(echoed)
					})
					var logs cpLogBuffer
					c := clientOf(t, srv, alicert.WithSignatureAlgorithm(alg), alicert.WithLogger(cpDebugLogger(&logs)))
					_, err := c.CAS.UploadUserCertificate(t.Context(), &alicert.UploadUserCertificateInput{Name: "web", Cert: cert, Key: key})
					require.Error(t, err)
					require.True(t, slices.ContainsFunc(pieces, func(p string) bool { return strings.Contains(echoed, p) }),
						"the service echoed the key: the test scripts what it means to")
					seRequireNoKey(t, "the error", err.Error(), pieces)
					seRequireNoKey(t, "the error chain", cpErrorChain(err), pieces)
					seRequireNoKey(t, "the debug log", logs.String(), pieces)
				})
			}
		}
	}
}

// TestCredentialsFileLineWithoutDelimiterIsNotQuoted: the shared
// credentials file's parser quotes a line that has no '=', secret included;
// the client's error keeps no level of it.
func TestCredentialsFileLineWithoutDelimiterIsNotQuoted(t *testing.T) {
	for name, line := range map[string]string{
		"key and secret":  "access_key_secret " + cpSecret,
		"key, tab":        "access_key_secret\t" + cpSecret,
		"the secret only": cpSecret,
	} {
		t.Run(name, func(t *testing.T) {
			cpIsolateCredentialsEnv(t)
			home := os.Getenv("HOME")
			require.NoError(t, os.MkdirAll(filepath.Join(home, ".alibabacloud"), 0o700))
			file := "[default]\ntype = access_key\naccess_key_id = LTAIkey\n" + line + "\n"
			require.NoError(t, os.WriteFile(filepath.Join(home, ".alibabacloud", "credentials"), []byte(file), 0o600))
			srv := testkit.NewScripted(t, cpState("process"))
			c, err := alicert.NewClient(alicert.WithCASEndpoint(srv.URL))
			require.NoError(t, err)

			_, err = c.CAS.GetCsrDetail(t.Context(), &alicert.GetCsrDetailInput{CsrID: 1})
			require.Error(t, err)
			assert.Contains(t, err.Error(), "delimiter not found", "the error still says what is wrong with the file")
			cpRequireCleanErr(t, err)
			cpRequireNoSecret(t, "every level of the credentials error", cpErrorChain(err))
			assert.Equal(t, 0, srv.Attempts())
		})
	}
}

// TestFakeRequestsHoldNoSecrets: Server.Requests, documented as holding no
// secrets, keeps no private key of an upload, whether the parameters came
// in the body (HMAC-SHA1) or the query (signature V3), and no signature or
// security token.
func TestFakeRequestsHoldNoSecrets(t *testing.T) {
	t.Parallel()
	cert, key := lcFile(t, "cert.pem"), lcFile(t, "key.pem")
	pieces := seKeyPieces(t, key, cert)
	for _, alg := range []alicert.SignatureAlgorithm{alicert.SignatureHMACSHA1, alicert.SignatureACS3HMACSHA256} {
		t.Run(alg.String(), func(t *testing.T) {
			t.Parallel()
			srv := alicerttest.NewServer()
			t.Cleanup(srv.Close)
			c, err := alicert.NewClient(append(srv.ClientOptions(), alicert.WithSignatureAlgorithm(alg))...)
			require.NoError(t, err)
			_, err = c.CAS.UploadUserCertificate(t.Context(), &alicert.UploadUserCertificateInput{Name: "web", Cert: cert, Key: key,
				Tags: []alicert.Tag{{Key: "team", Value: "web"}}})
			require.NoError(t, err)

			reqs := srv.Requests()
			require.Len(t, reqs, 1)
			params := reqs[0].Params
			for _, secret := range []string{"Signature", "SecurityToken"} {
				assert.NotContains(t, params, secret)
			}
			assert.Equal(t, []string{alicerttest.RedactedPrivateKey}, params["Key"], "the key is withheld")
			assert.Equal(t, "web", params.Get("Name"), "the other parameters are kept")
			assert.Equal(t, "team", params.Get("Tags.1.Key"), "a tag's key is no secret")
			all, err := json.Marshal(params)
			require.NoError(t, err)
			seRequireNoKey(t, "Requests()", string(all), pieces)
		})
	}
}
