package alicerttest_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/alicert/alicert/alicerttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The Private CA (API version 2020-06-30) is tested with hand-signed
// requests: what the fake does is checked against the official models,
// independently of any client.

const pcaVersion = "2020-06-30"

// pcaParams is the parameters of an action, from name/value pairs.
func pcaParams(action string, pairs ...string) map[string]string {
	p := map[string]string{"Action": action, "Version": pcaVersion}
	for i := 0; i+1 < len(pairs); i += 2 {
		p[pairs[i]] = pairs[i+1]
	}
	return p
}

// pcaSend sends an action and returns what came back.
func pcaSend(t *testing.T, srv *alicerttest.Server, params map[string]string) rawResult {
	t.Helper()
	return raw{params: params}.send(t, srv)
}

// pcaOK sends an action that must succeed and decodes its answer into T.
func pcaOK[T any](t *testing.T, srv *alicerttest.Server, params map[string]string) T {
	t.Helper()
	res := pcaSend(t, srv, params)
	require.Equal(t, http.StatusOK, res.status, "%s: %s", params["Action"], res.body)
	var out T
	require.NoError(t, json.Unmarshal(res.body, &out), "%s", res.body)
	return out
}

// pcaRefused sends an action that must fail with code, naming param in
// its message when param is not "".
func pcaRefused(t *testing.T, srv *alicerttest.Server, params map[string]string, code, param string) {
	t.Helper()
	res := pcaSend(t, srv, params)
	assert.Equal(t, http.StatusBadRequest, res.status, "%s", res.body)
	assert.Equal(t, code, res.doc.Code, "%s", res.doc.Message)
	if param != "" {
		assert.Contains(t, res.doc.Message, strconv.Quote(param))
	}
}

// leafKey makes a P-256 key and a CSR for cn and dns.
func leafKey(t *testing.T, cn string, dns ...string) (csrPEM string, key *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	return csrFor(t, key, cn, dns...), key
}

func csrFor(t *testing.T, key crypto.Signer, cn string, dns ...string) string {
	t.Helper()
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: cn}, DNSNames: dns}, key)
	require.NoError(t, err)
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}))
}

// pemCert parses the first certificate of a PEM text, and returns the
// rest parsed too.
func pemCerts(t *testing.T, s string) []*x509.Certificate {
	t.Helper()
	return parseCertificates(t, s)
}

// caDoc is DescribeCACertificate's Certificate, the fields the tests read.
type caDoc struct {
	AfterDate, BeforeDate                               int64
	Algorithm, FullAlgorithm, CertificateType, Status   string
	Identifier, ParentIdentifier, IssuerType, SubjectDN string
	CommonName, CountryCode, State, Locality            string
	Organization, OrganizationUnit, SignAlgorithm       string
	KeySize                                             int32
	CertTotalCount, CertRemainingCount, CertIssuedCount int64
	CrlStatus, X509Certificate, CaCertChain             string
	Years                                               int32
	Tags                                                []struct{ TagKey, TagValue string }
}

func describeCA(t *testing.T, srv *alicerttest.Server, id string) caDoc {
	t.Helper()
	return pcaOK[struct {
		Certificate caDoc
		Years       int32
	}](t, srv, pcaParams("DescribeCACertificate", "Identifier", id)).Certificate
}

// TestPCASeededCAsAreRealCAs: WithPrivateCA seeds a self-signed root and a
// sub-CA it signs, CA certificates that sign certificates and CRLs, linked
// by key identifiers, with the sub-CA's path length 0 and a quota.
func TestPCASeededCAsAreRealCAs(t *testing.T) {
	t.Parallel()
	srv := newServer(t, alicerttest.WithPrivateCA())
	pca := srv.PrivateCA()
	require.NotEmpty(t, pca.RootIdentifier)
	require.NotEmpty(t, pca.SubCAIdentifier)
	root, sub := pca.Root, pca.SubCA
	require.NoError(t, root.CheckSignatureFrom(root), "the root signs itself")
	require.NoError(t, sub.CheckSignatureFrom(root), "the root signs the sub-CA")
	for _, ca := range []*x509.Certificate{root, sub} {
		assert.True(t, ca.IsCA && ca.BasicConstraintsValid)
		assert.Equal(t, x509.KeyUsageCertSign|x509.KeyUsageCRLSign, ca.KeyUsage)
		assert.NotEmpty(t, ca.SubjectKeyId)
	}
	assert.Equal(t, root.SubjectKeyId, sub.AuthorityKeyId)
	assert.True(t, sub.MaxPathLenZero, "PathLenConstraint: The default value is 0")
	assert.Zero(t, sub.MaxPathLen)
	_, err := sub.Verify(x509.VerifyOptions{Roots: pca.Roots()})
	assert.NoError(t, err)

	r, s := describeCA(t, srv, pca.RootIdentifier), describeCA(t, srv, pca.SubCAIdentifier)
	assert.Equal(t, "ROOT", r.CertificateType)
	assert.Equal(t, "SUB_ROOT", s.CertificateType)
	assert.Empty(t, r.ParentIdentifier, "returned only for a SUB_ROOT")
	assert.Equal(t, pca.RootIdentifier, s.ParentIdentifier)
	assert.Equal(t, "ISSUE", s.Status)
	assert.Equal(t, "local", s.IssuerType)
	assert.Equal(t, []int64{1000, 1000, 0}, []int64{s.CertTotalCount, s.CertRemainingCount, s.CertIssuedCount})
	assert.Equal(t, sub.NotAfter.UnixMilli(), s.AfterDate, "milliseconds")
	assert.Equal(t, sub.NotBefore.UnixMilli(), s.BeforeDate)
	assert.Equal(t, "ECC", s.Algorithm)
	assert.Equal(t, "ECC_256", s.FullAlgorithm)
	assert.Equal(t, "SHA256WITHECDSA", s.SignAlgorithm)
	assert.Equal(t, int32(5), s.Years)
	assert.True(t, sub.Equal(pemCerts(t, s.X509Certificate)[0]))
	chain := pemCerts(t, s.CaCertChain)
	require.Len(t, chain, 2)
	assert.True(t, chain[1].Equal(root), "the sub-CA's chain ends with the root")
}

// TestPCACreateRootAndSubCA: the creates make CAs of the subject,
// algorithm, years, path length and extended key usages asked, and refuse
// what their models rule out.
func TestPCACreateRootAndSubCA(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	subject := []string{"CommonName", "Example Root", "CountryCode", "CN", "State", "Zhejiang", "Locality", "Hangzhou",
		"Organization", "Example", "OrganizationUnit", "Security"}
	root := pcaOK[struct{ Certificate, CertificateChain, Identifier string }](t, srv,
		pcaParams("CreateRootCACertificate", append(subject, "Years", "6", "Tags.1.Key", "env", "Tags.1.Value", "test")...))
	rootCert := pemCerts(t, root.Certificate)[0]
	assert.Equal(t, "Example Root", rootCert.Subject.CommonName)
	assert.Equal(t, []string{"Security"}, rootCert.Subject.OrganizationalUnit)
	assert.Equal(t, 6, rootCert.NotAfter.Year()-rootCert.NotBefore.Year())
	assert.IsType(t, &ecdsa.PublicKey{}, rootCert.PublicKey, "ECC_256 without Algorithm")
	assert.Equal(t, root.Certificate, root.CertificateChain)
	d := describeCA(t, srv, root.Identifier)
	assert.Equal(t, "C=CN,O=Example,OU=Security,L=Hangzhou,ST=Zhejiang,CN=Example Root", d.SubjectDN)
	assert.Equal(t, "env", d.Tags[0].TagKey)

	sub := pcaOK[struct{ Certificate, CertificateChain, Identifier string }](t, srv, pcaParams("CreateSubCACertificate",
		append(subject, "CommonName", "Example Sub", "Years", "5", "Algorithm", "ECC_256", "ParentIdentifier", root.Identifier,
			"PathLenConstraint", "1", "ExtendedKeyUsages.1", "serverAuth", "ExtendedKeyUsages.2", "clientAuth", "EnableCrl", "true", "CrlDay", "30")...))
	subCert := pemCerts(t, sub.Certificate)[0]
	require.NoError(t, subCert.CheckSignatureFrom(rootCert))
	assert.Equal(t, 1, subCert.MaxPathLen)
	assert.Equal(t, []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}, subCert.ExtKeyUsage)
	assert.Len(t, pemCerts(t, sub.CertificateChain), 2)
	assert.Equal(t, "ACTIVE", describeCA(t, srv, sub.Identifier).CrlStatus)

	// A year longer than the sub-CA below, which may not outlive it.
	rsaRoot := pcaOK[struct{ Identifier, Certificate string }](t, srv, pcaParams("CreateRootCACertificate", append(subject, "Years", "6", "Algorithm", "RSA_1024")...))
	createSub := func(pairs ...string) map[string]string {
		return pcaParams("CreateSubCACertificate", append(append(subject, "Years", "5", "Algorithm", "ECC_256", "ParentIdentifier", root.Identifier), pairs...)...)
	}
	rsaSub := pcaOK[struct{ Certificate string }](t, srv, createSub("Algorithm", "RSA_1024", "ParentIdentifier", rsaRoot.Identifier))
	assert.False(t, pemCerts(t, rsaSub.Certificate)[0].PublicKey.(interface{ Equal(crypto.PublicKey) bool }).Equal(pemCerts(t, rsaRoot.Certificate)[0].PublicKey),
		"an RSA sub-CA does not share its root's key")

	for _, tc := range []struct {
		name        string
		params      map[string]string
		code, param string
	}{
		{"root for 11 years", pcaParams("CreateRootCACertificate", append(subject, "Years", "11")...), "InvalidParameter", "Years"},
		{"root for 4 years", pcaParams("CreateRootCACertificate", append(subject, "Years", "4")...), "InvalidParameter", "Years"},
		{"root of DSA", pcaParams("CreateRootCACertificate", append(subject, "Years", "5", "Algorithm", "DSA_1024")...), "InvalidParameter", "Algorithm"},
		{"root in country CHN", pcaParams("CreateRootCACertificate", append(subject, "Years", "5", "CountryCode", "CHN")...), "InvalidParameter", "CountryCode"},
		{"sub-CA of ECC_384", createSub("Algorithm", "ECC_384"), "InvalidParameter", "Algorithm"},
		{"sub-CA of RSA under an ECC root", createSub("Algorithm", "RSA_2048"), "InvalidParameter", "Algorithm"},
		{"sub-CA outliving its root", createSub("Years", "7"), "InvalidParameter", "Years"},
		{"sub-CA under a sub-CA", createSub("ParentIdentifier", sub.Identifier), "InvalidParameter", "ParentIdentifier"},
		{"sub-CA under nothing", createSub("ParentIdentifier", "0123456789abcdef0123456789abcdef"), "InvalidParameter", "ParentIdentifier"},
		{"sub-CA with an unknown usage", createSub("ExtendedKeyUsages.1", "anyUsage"), "InvalidParameter", "ExtendedKeyUsages.1"},
		{"sub-CA with usages from 0", createSub("ExtendedKeyUsages.0", "serverAuth"), "InvalidParameter", "ExtendedKeyUsages.0"},
		{"sub-CA with a CRL of 366 days", createSub("CrlDay", "366"), "InvalidParameter", "CrlDay"},
		{"sub-CA with EnableCrl 1", createSub("EnableCrl", "1"), "InvalidParameter", "EnableCrl"},
		{"sub-CA with a path length of -1", createSub("PathLenConstraint", "-1"), "InvalidParameter", "PathLenConstraint"},
	} {
		t.Run(tc.name, func(t *testing.T) { pcaRefused(t, srv, tc.params, tc.code, tc.param) })
	}
}

// TestPCARequiredParameters: each parameter a model marks "This parameter
// is required." is refused as missing, and so are the few the fake needs
// besides (documented in the package).
func TestPCARequiredParameters(t *testing.T) {
	t.Parallel()
	srv := newServer(t, alicerttest.WithPrivateCA())
	sub := srv.PrivateCA().SubCAIdentifier
	csr, _ := leafKey(t, "leaf.example.com")
	root := pcaParams("CreateRootCACertificate", "CommonName", "R", "Locality", "L", "Organization", "O",
		"OrganizationUnit", "OU", "State", "S", "Years", "5")
	subCA := with(root, "Action", "CreateSubCACertificate", "Algorithm", "ECC_256", "ParentIdentifier", srv.PrivateCA().RootIdentifier)
	server := pcaParams("CreateServerCertificateWithCsr", "Csr", csr, "ParentIdentifier", sub, "Days", "1")
	client := with(server, "Action", "CreateClientCertificateWithCsr")
	custom := pcaParams("CreateCustomCertificate", "Csr", csr, "ParentIdentifier", sub, "Validity", "1d")
	var tests []struct {
		params map[string]string
		param  string
	}
	add := func(base map[string]string, names ...string) {
		for _, n := range names {
			tests = append(tests, struct {
				params map[string]string
				param  string
			}{with(base, n, ""), n})
		}
	}
	add(root, "CommonName", "Locality", "Organization", "OrganizationUnit", "State", "Years")
	add(subCA, "Algorithm", "CommonName", "Locality", "Organization", "OrganizationUnit", "State", "Years", "ParentIdentifier")
	add(server, "Csr", "ParentIdentifier")
	add(client, "Csr", "ParentIdentifier")
	add(custom, "Csr", "ParentIdentifier", "Validity")
	add(pcaParams("DescribeCACertificate", "Identifier", "x"), "Identifier")
	add(pcaParams("DescribeClientCertificate", "Identifier", "x"), "Identifier")
	add(pcaParams("CreateRevokeClientCertificate", "Identifier", "x"), "Identifier")
	add(with(custom, "ApiPassthrough.Extensions.SubjectAlternativeNames.1.Type", "dNSName",
		"ApiPassthrough.Extensions.SubjectAlternativeNames.1.Value", "a.example.com"), "ApiPassthrough.Extensions.SubjectAlternativeNames.1.Type")
	for _, tc := range tests {
		t.Run(tc.params["Action"]+" without "+tc.param, func(t *testing.T) {
			pcaRefused(t, srv, tc.params, "MissingParameter", tc.param)
		})
	}
	list := pcaOK[struct{ TotalCount int64 }](t, srv, pcaParams("ListClientCertificate"))
	assert.Zero(t, list.TotalCount, "a refused create issued a certificate")
	cas := pcaOK[struct{ TotalCount int32 }](t, srv, pcaParams("DescribeCACertificateList"))
	assert.Equal(t, int32(2), cas.TotalCount, "a refused create made a CA")
}

// TestPCAListsCAsWithFiltersAndPages: DescribeCACertificateList filters by
// the model's values and pages 20 at a time by default.
func TestPCAListsCAsWithFiltersAndPages(t *testing.T) {
	t.Parallel()
	now := time.Now()
	srv := newServer(t, alicerttest.WithPrivateCA(), alicerttest.WithClock(func() time.Time { return now }))
	pca := srv.PrivateCA()
	type list struct {
		CertificateList []struct {
			Identifier, CertificateType, Status string
			Alias                               string
			Gift, Trial                         int32
		}
		CurrentPage, PageCount, ShowSize, TotalCount int32
	}
	all := pcaOK[list](t, srv, pcaParams("DescribeCACertificateList"))
	assert.Equal(t, int32(20), all.ShowSize, "ShowSize: Default value: 20")
	assert.Equal(t, int32(1), all.CurrentPage)
	require.Len(t, all.CertificateList, 2)
	assert.Equal(t, pca.RootIdentifier, all.CertificateList[0].Identifier, "creation order")
	for filter, want := range map[[2]string][]string{
		{"CertType", "root"}:                {pca.RootIdentifier},
		{"CertType", "subRoot"}:             {pca.SubCAIdentifier},
		{"CertType", "externalCa"}:          nil,
		{"CaStatus", "issue"}:               {pca.RootIdentifier, pca.SubCAIdentifier},
		{"CaStatus", "revoke"}:              nil,
		{"IssuerType", "local"}:             {pca.RootIdentifier, pca.SubCAIdentifier},
		{"IssuerType", "iTrusChina"}:        nil,
		{"ValidStatus", "valid"}:            {pca.RootIdentifier, pca.SubCAIdentifier},
		{"ValidStatus", "notValid"}:         nil,
		{"Identifier", pca.SubCAIdentifier}: {pca.SubCAIdentifier},
	} {
		got := pcaOK[list](t, srv, pcaParams("DescribeCACertificateList", filter[0], filter[1]))
		var ids []string
		for _, c := range got.CertificateList {
			ids = append(ids, c.Identifier)
		}
		assert.Equal(t, want, ids, "%v", filter)
		assert.Equal(t, int32(len(want)), got.TotalCount, "%v", filter)
	}
	second := pcaOK[list](t, srv, pcaParams("DescribeCACertificateList", "ShowSize", "1", "CurrentPage", "2"))
	require.Len(t, second.CertificateList, 1)
	assert.Equal(t, pca.SubCAIdentifier, second.CertificateList[0].Identifier)
	assert.Equal(t, []int32{2, 2, 1}, []int32{second.PageCount, second.TotalCount, second.ShowSize})
	past := pcaOK[list](t, srv, pcaParams("DescribeCACertificateList", "CurrentPage", "4611686018427387904", "ShowSize", "4"))
	assert.Empty(t, past.CertificateList, "a page past the end, however far")
	for _, p := range [][2]string{{"CaStatus", "ISSUE"}, {"CertType", "sub"}, {"IssuerType", "remote"}, {"ValidStatus", "expired"}, {"ShowSize", "0"}, {"CurrentPage", "x"}} {
		pcaRefused(t, srv, pcaParams("DescribeCACertificateList", p[0], p[1]), "InvalidParameter", p[0])
	}
	pcaRefused(t, srv, pcaParams("DescribeCACertificate", "Identifier", "0123456789abcdef0123456789abcdef"), "InvalidParameter", "Identifier")
}

// pemOf encodes DER as a PEM block.
func pemOf(typ string, der []byte) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}))
}

// TestPCAEveryECCAlgorithm: roots of each ECC and SM2 algorithm the model
// lists are made with a key of that size (SM2_256 and ECC_512 as P-256
// and P-521), and an SM2 sub-CA issues a P-256 certificate listed as SM2.
func TestPCAEveryECCAlgorithm(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	subject := []string{"CommonName", "A", "Locality", "L", "Organization", "O", "OrganizationUnit", "OU", "State", "S", "Years", "5"}
	for alg, curve := range map[string]string{"ECC_256": "P-256", "ECC_384": "P-384", "ECC_512": "P-521", "SM2_256": "P-256"} {
		// A year longer than its sub-CA's, which may not outlive it.
		root := pcaOK[struct{ Certificate, Identifier string }](t, srv, pcaParams("CreateRootCACertificate", append(subject, "Algorithm", alg, "Years", "6")...))
		assert.Equal(t, curve, pemCerts(t, root.Certificate)[0].PublicKey.(*ecdsa.PublicKey).Curve.Params().Name, alg)
		d := describeCA(t, srv, root.Identifier)
		assert.Equal(t, alg, d.FullAlgorithm)
		assert.Equal(t, alg[:3], d.Algorithm)
		if alg != "SM2_256" {
			continue
		}
		assert.Equal(t, "SM3WITHSM2", d.SignAlgorithm, "the model's pairing")
		sub := pcaOK[struct{ Identifier string }](t, srv, pcaParams("CreateSubCACertificate",
			append(subject, "Algorithm", "SM2_256", "ParentIdentifier", root.Identifier)...))
		csr, _ := leafKey(t, "sm2.example.com")
		leaf := pcaOK[struct{ Identifier string }](t, srv, pcaParams("CreateClientCertificateWithCsr", "Csr", csr,
			"ParentIdentifier", sub.Identifier, "Days", "1", "Algorithm", "SM2_256"))
		got := pcaOK[struct {
			Certificate struct{ Algorithm, FullAlgorithm string }
		}](t, srv,
			pcaParams("DescribeClientCertificate", "Identifier", leaf.Identifier)).Certificate
		assert.Equal(t, "SM2", got.Algorithm)
		assert.Equal(t, "SM2_256", got.FullAlgorithm)
		pcaRefused(t, srv, pcaParams("CreateClientCertificateWithCsr", "Csr", csr, "ParentIdentifier", sub.Identifier,
			"Days", "1", "Algorithm", "ECC_256"), "InvalidParameter", "Algorithm")
	}
}
