package alicerttest_test

import (
	"crypto/x509"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/alicert/alicert/alicerttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPCASnapshotCarriesThePrivateCAOver: a server made WithState from a
// snapshot has the same CAs (the same keys: what they issue verifies
// against the old roots), certificates, custom identifiers, revocations
// and quota, gives new ids after the old ones, and WithPrivateCA does not
// seed again.
func TestPCASnapshotCarriesThePrivateCAOver(t *testing.T) {
	t.Parallel()
	first := newServer(t, alicerttest.WithPrivateCA())
	pca := first.PrivateCA()
	require.NoError(t, first.SetSubCAQuota(pca.SubCAIdentifier, 5))
	csr, _ := leafKey(t, "s.example.com")
	issued := pcaOK[leafAnswer](t, first, pcaParams("CreateServerCertificateWithCsr", "Csr", csr, "ParentIdentifier", pca.SubCAIdentifier,
		"Days", "3", "CustomIdentifier", "keep-me", "Immediately", "1"))
	pcaOK[struct{ RequestId string }](t, first, pcaParams("CreateRevokeClientCertificate", "Identifier", issued.Identifier))
	root := pcaOK[struct{ Identifier string }](t, first, pcaParams("CreateRootCACertificate", "CommonName", "Other", "Locality", "L",
		"Organization", "O", "OrganizationUnit", "OU", "State", "S", "Years", "5", "Algorithm", "RSA_1024"))

	snap, err := first.Snapshot()
	require.NoError(t, err)
	assert.Contains(t, string(snap), `"version":2`)
	st, err := alicerttest.ParseState(snap)
	require.NoError(t, err)
	second := newServer(t, alicerttest.WithState(st), alicerttest.WithPrivateCA())

	again := second.PrivateCA()
	assert.Equal(t, pca.RootIdentifier, again.RootIdentifier, "not seeded again")
	assert.True(t, pca.SubCA.Equal(again.SubCA))
	cas := pcaOK[struct{ TotalCount int32 }](t, second, pcaParams("DescribeCACertificateList"))
	assert.Equal(t, int32(3), cas.TotalCount)
	assert.Equal(t, "RSA", describeCA(t, second, root.Identifier).Algorithm)
	d := describeCA(t, second, pca.SubCAIdentifier)
	assert.Equal(t, []int64{5, 4, 1}, []int64{d.CertTotalCount, d.CertRemainingCount, d.CertIssuedCount})

	type described struct {
		Certificate struct {
			X509Certificate, Status, CustomIdentifier string
			Id                                        int64
		}
	}
	old := pcaOK[described](t, second, pcaParams("DescribeClientCertificate", "Identifier", issued.Identifier)).Certificate
	assert.Equal(t, issued.X509Certificate, old.X509Certificate)
	assert.Equal(t, "REVOKE", old.Status)
	assert.Equal(t, "keep-me", old.CustomIdentifier)
	revoked := pcaOK[struct{ TotalCount int64 }](t, second, pcaParams("ListRevokeCertificate"))
	assert.Equal(t, int64(1), revoked.TotalCount)
	pcaRefused(t, second, pcaParams("CreateClientCertificateWithCsr", "Csr", csr, "ParentIdentifier", pca.SubCAIdentifier,
		"Days", "1", "CustomIdentifier", "keep-me"), "CustomIdentifierRepeat", "CustomIdentifier")

	fresh := pcaOK[leafAnswer](t, second, pcaParams("CreateServerCertificateWithCsr", "Csr", csr, "ParentIdentifier", pca.SubCAIdentifier,
		"Days", "3", "Immediately", "1", "Domain", "s.example.com"))
	verify(t, pca, pemCerts(t, fresh.X509Certificate)[0], x509.ExtKeyUsageServerAuth, "s.example.com")
	next := pcaOK[described](t, second, pcaParams("DescribeClientCertificate", "Identifier", fresh.Identifier)).Certificate
	assert.Greater(t, next.Id, old.Id)
}

// TestPCAStateOfVersion1StillParses: a version 1 document, from before the
// fake had a Private CA, is read; a damaged Private CA is refused, naming
// the field.
func TestPCAStateOfVersion1StillParses(t *testing.T) {
	t.Parallel()
	plain := newServer(t)
	snap, err := plain.Snapshot()
	require.NoError(t, err)
	assert.NotContains(t, string(snap), `"pca"`, "no Private CA, no pca")
	v1 := strings.Replace(string(snap), `"version":2`, `"version":1`, 1)
	st, err := alicerttest.ParseState([]byte(v1))
	require.NoError(t, err)
	assert.Empty(t, newServer(t, alicerttest.WithState(st)).PrivateCA().RootIdentifier)

	seeded := newServer(t, alicerttest.WithPrivateCA())
	snap, err = seeded.Snapshot()
	require.NoError(t, err)
	sub := seeded.PrivateCA().SubCAIdentifier
	for name, tt := range map[string]struct{ from, to, want string }{
		"a CA key that is not PEM":  {`"key":"-----BEGIN PRIVATE KEY-----`, `"key":"x-----BEGIN PRIVATE KEY-----`, "pca.cas[0].key"},
		"an unknown algorithm":      {`"algorithm":"ECC_256"`, `"algorithm":"ECC_999"`, "pca.cas[0].algorithm"},
		"a sub-CA without its root": {`"parent":"` + seeded.PrivateCA().RootIdentifier, `"parent":"nobody`, "pca.cas[1].parent"},
		"a repeated CA identifier":  {`"identifier":"` + sub, `"identifier":"` + seeded.PrivateCA().RootIdentifier, "pca.cas[1].identifier"},
		"a version 3 document":      {`"version":2`, `"version":3`, "version 3"},
	} {
		t.Run(name, func(t *testing.T) {
			at := strings.Index(string(snap), `"pca":`)
			require.Positive(t, at)
			if strings.HasPrefix(tt.from, `"version"`) {
				at = 0
			}
			doc := string(snap[:at]) + strings.Replace(string(snap[at:]), tt.from, tt.to, 1)
			require.NotEqual(t, string(snap), doc, "the test changed nothing")
			_, err := alicerttest.ParseState([]byte(doc))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), "PRIVATE KEY")
		})
	}
}

// TestPCAConcurrentIssuance: certificates issued at once from one sub-CA
// take exactly its quota, never more, with unique serial numbers, and one
// custom identifier goes to exactly one certificate; Snapshot and the
// listings run meanwhile. Run it with -race.
func TestPCAConcurrentIssuance(t *testing.T) {
	t.Parallel()
	const quota, tries, sameKey = 30, 40, 10
	srv := newServer(t, alicerttest.WithPrivateCA())
	pca := srv.PrivateCA()
	require.NoError(t, srv.SetSubCAQuota(pca.SubCAIdentifier, quota+1)) // one for the shared custom identifier
	csr, _ := leafKey(t, "c.example.com")
	actions := []string{"CreateServerCertificateWithCsr", "CreateClientCertificateWithCsr", "CreateCustomCertificate"}
	codes := make(chan string, tries+sameKey)
	var wg sync.WaitGroup
	for i := range tries + sameKey {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := pcaParams(actions[i%3], "Csr", csr, "ParentIdentifier", pca.SubCAIdentifier, "Days", "1", "Validity", "1d")
			if i >= tries {
				p = pcaParams("CreateCustomCertificate", "Csr", csr, "ParentIdentifier", pca.SubCAIdentifier, "Validity", "1d",
					"customIdentifier", "shared")
			}
			code, err := pcaCode(srv, p)
			assert.NoError(t, err)
			codes <- code
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for range 5 {
			_, err := srv.Snapshot()
			assert.NoError(t, err)
			for _, action := range []string{"ListClientCertificate", "DescribeCACertificateList"} {
				code, err := pcaCode(srv, pcaParams(action))
				assert.NoError(t, err)
				assert.Empty(t, code)
			}
		}
	}()
	wg.Wait()
	close(codes)
	count := map[string]int{}
	for code := range codes {
		count[code]++ // "" for a success
	}
	assert.Equal(t, quota+1, count[""], "exactly the quota is issued")
	assert.Equal(t, tries+sameKey-quota-1, count["QuotaExhausted.Certificate"]+count["CustomIdentifierRepeat"],
		"every refusal is for the quota or the repeated key: %v", count)

	list := pcaOK[struct {
		CertificateList []struct{ SerialNumber, CustomIdentifier string }
		TotalCount      int64
	}](t, srv, pcaParams("ListClientCertificate", "ShowSize", "100"))
	assert.Equal(t, int64(quota+1), list.TotalCount)
	serials, shared := map[string]bool{}, 0
	for _, c := range list.CertificateList {
		serials[c.SerialNumber] = true
		if c.CustomIdentifier == "shared" {
			shared++
		}
	}
	assert.Len(t, serials, quota+1, "serial numbers repeat")
	assert.LessOrEqual(t, shared, 1, "the custom identifier went to two certificates")
	d := describeCA(t, srv, pca.SubCAIdentifier)
	assert.Equal(t, []int64{quota + 1, 0, quota + 1}, []int64{d.CertTotalCount, d.CertRemainingCount, d.CertIssuedCount})
}

// TestPCAFaultsAndSignatureV3: the Private CA's routes take faults and V3
// signatures like every other route: a truncated answer hides a
// certificate that was issued, a throttled request issues none.
func TestPCAFaultsAndSignatureV3(t *testing.T) {
	t.Parallel()
	srv := newServer(t, alicerttest.WithPrivateCA())
	pca := srv.PrivateCA()
	csr, _ := leafKey(t, "f.example.com")
	server := pcaParams("CreateServerCertificateWithCsr", "Csr", csr, "ParentIdentifier", pca.SubCAIdentifier, "Days", "1")
	srv.InjectFault("CreateServerCertificateWithCsr", alicerttest.Fault{Kind: alicerttest.FaultThrottle}, 1)
	pcaRefused(t, srv, server, "Throttling.User", "")
	srv.InjectFault("CreateServerCertificateWithCsr", alicerttest.Fault{Kind: alicerttest.FaultTruncatedJSON}, 1)
	res := pcaSend(t, srv, server)
	assert.Equal(t, 200, res.status)
	assert.False(t, json.Valid(res.body), "truncated")
	list := pcaOK[struct{ TotalCount int64 }](t, srv, pcaParams("ListClientCertificate"))
	assert.Equal(t, int64(1), list.TotalCount, "issued once: by the truncated request, not the throttled one")
	assert.Equal(t, 2, srv.RequestCount("CreateServerCertificateWithCsr"))

	p := pcaParams("DescribeCACertificate", "Identifier", pca.SubCAIdentifier)
	delete(p, "Action")
	delete(p, "Version")
	for _, inQuery := range []bool{true, false} {
		v3 := rawV3{action: "DescribeCACertificate", version: pcaVersion, params: p, inQuery: inQuery}.send(t, srv)
		require.Equal(t, 200, v3.status, "%s", v3.body)
		assert.Contains(t, string(v3.body), pca.SubCAIdentifier)
	}
}

// pcaCode sends a request from any goroutine (it never stops the test)
// and returns the error code of the answer, "" for a success.
func pcaCode(srv *alicerttest.Server, params map[string]string) (string, error) {
	wire, _ := raw{params: params}.sign(srv)
	resp, err := http.Post(srv.URL+"/", "application/x-www-form-urlencoded", strings.NewReader(wire))
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var doc errorDoc
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK && doc.Code == "" {
		return "", fmt.Errorf("status %d without an error code", resp.StatusCode)
	}
	return doc.Code, nil
}
