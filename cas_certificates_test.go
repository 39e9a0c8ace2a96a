package alicert_test

import (
	"net/url"
	"strconv"
	"testing"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/alicerttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestUploadRerunAfterUnknownOutcome: after an upload of unknown outcome,
// FindUploadedCertificate finds the certificate, so the rerun creates none.
func TestUploadRerunAfterUnknownOutcome(t *testing.T) {
	t.Parallel()
	c, srv := setupFake(t)
	in := &alicert.UploadUserCertificateInput{Name: "web", Cert: lcFile(t, "cert.pem"), Key: lcFile(t, "key.pem")}
	srv.InjectFault("UploadUserCertificate", alicerttest.Fault{Kind: alicerttest.FaultResetAfterAct}, 1)
	_, err := c.CAS.UploadUserCertificate(t.Context(), in)
	require.ErrorIs(t, err, alicert.ErrOutcomeUnknown)
	found, err := c.CAS.FindUploadedCertificate(t.Context(), "web")
	require.NoError(t, err)
	require.NotNil(t, found)
	assert.Equal(t, "upload.example.com", found.CommonName)
	assert.Equal(t, 1, srv.CertificateCount())

	missing, err := c.CAS.FindUploadedCertificate(t.Context(), "we")
	require.NoError(t, err)
	assert.Nil(t, missing, "a keyword match of another name is not the certificate")
}

// TestDeleteUserCertificateRepeatFindsItGone: a delete whose answer was
// lost after the fake acted is sent again, with CertId alone (the model's
// one field), finds the certificate gone, and reports it deleted.
func TestDeleteUserCertificateRepeatFindsItGone(t *testing.T) {
	t.Parallel()
	for _, fault := range []alicerttest.FaultKind{alicerttest.FaultResetAfterAct, alicerttest.FaultTruncatedJSON} {
		c, srv := setupFake(t)
		up, err := c.CAS.UploadUserCertificate(t.Context(), &alicert.UploadUserCertificateInput{
			Name: "web", Cert: lcFile(t, "cert.pem"), Key: lcFile(t, "key.pem")})
		require.NoError(t, err)
		srv.InjectFault("DeleteUserCertificate", alicerttest.Fault{Kind: fault}, 1)
		out, err := c.CAS.DeleteUserCertificate(t.Context(), &alicert.DeleteUserCertificateInput{CertID: up.CertID})
		require.NoError(t, err, "fault %v: the repeat found the certificate gone", fault)
		assert.NotEmpty(t, out.RequestID, "the id of the answer that said so")
		var sent []url.Values
		for _, r := range srv.Requests() {
			if r.Action == "DeleteUserCertificate" {
				sent = append(sent, r.Params)
			}
		}
		require.Len(t, sent, 2, "fault %v", fault)
		for _, p := range sent {
			assert.Equal(t, []string{strconv.FormatInt(up.CertID, 10)}, p["CertId"])
			assert.NotContains(t, p, "ClientToken")
		}
		assert.Zero(t, srv.CertificateCount())
	}
}

// TestDeleteUserCertificateOfAMissingCertificate: without an earlier
// attempt that may have deleted it, a certificate that is not there is an
// error.
func TestDeleteUserCertificateOfAMissingCertificate(t *testing.T) {
	t.Parallel()
	c, srv := setupFake(t)
	_, err := c.CAS.DeleteUserCertificate(t.Context(), &alicert.DeleteUserCertificateInput{CertID: 424242})
	var apiErr *alicert.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "InvalidParameter", apiErr.Code)
	srv.InjectFault("DeleteUserCertificate", alicerttest.Fault{Kind: alicerttest.FaultThrottle}, 1)
	_, err = c.CAS.DeleteUserCertificate(t.Context(), &alicert.DeleteUserCertificateInput{CertID: 424242})
	require.ErrorAs(t, err, &apiErr, "a throttled attempt did not act: the repeat's answer stands")
}

// TestUploadTheSMForm: an SM pair goes out as SignCert, SignPrivateKey,
// EncryptCert and EncryptPrivateKey, without Cert and Key, under both
// signatures; the fake stores it and GetUserCertificateDetail returns it.
// (The fake checks only the PEM kinds, as the client does, so an ECDSA pair
// stands in for SM2 here.)
func TestUploadTheSMForm(t *testing.T) {
	t.Parallel()
	cert, key := lcFile(t, "cert.pem"), lcFile(t, "key.pem")
	for _, alg := range []alicert.SignatureAlgorithm{alicert.SignatureHMACSHA1, alicert.SignatureACS3HMACSHA256} {
		t.Run(alg.String(), func(t *testing.T) {
			t.Parallel()
			_, srv := setupFake(t)
			c := fakeClientOf(t, srv, alicert.WithSignatureAlgorithm(alg))
			up, err := c.CAS.UploadUserCertificate(t.Context(), &alicert.UploadUserCertificateInput{
				Name: "sm_web", SignCert: cert, SignPrivateKey: key, EncryptCert: cert, EncryptPrivateKey: key})
			require.NoError(t, err)

			sent := srv.Requests()[0].Params
			for _, name := range []string{"SignCert", "EncryptCert"} {
				assert.Equal(t, cert, sent.Get(name), name)
			}
			for _, name := range []string{"SignPrivateKey", "EncryptPrivateKey"} {
				assert.Equal(t, alicerttest.RedactedPrivateKey, sent.Get(name), "%s was sent, and the record withholds it", name)
			}
			assert.NotContains(t, sent, "Cert")
			assert.NotContains(t, sent, "Key")

			detail, err := c.CAS.GetUserCertificateDetail(t.Context(), &alicert.GetUserCertificateDetailInput{CertID: up.CertID})
			require.NoError(t, err)
			assert.Equal(t, cert, detail.SignCert)
			assert.Equal(t, cert, detail.EncryptCert)
			assert.Equal(t, key, detail.SignPrivateKey)
		})
	}
}
