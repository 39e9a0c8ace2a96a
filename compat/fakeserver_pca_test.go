package compat

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"os/exec"
	"path/filepath"
	"testing"

	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	"github.com/alibabacloud-go/tea/tea"
)

// The Private CA's official client (cas-20200630) is not served by the
// module proxy, so its side is the official runtime every generated client
// calls, driven by the model's fields as the differential rows drive it
// (pcaCall): what it sends, under HMAC-SHA1 and under V3, alicert fake
// must take, across a restart.

// fakePCAStarted is the Private CA part of what alicert fake -json prints.
type fakePCAStarted struct {
	PrivateCA struct {
		RootIdentifier  string `json:"rootIdentifier"`
		SubCAIdentifier string `json:"subCAIdentifier"`
	} `json:"privateCA"`
}

// pcaOfficial calls op through the official runtime configured for the
// fake, signing with alg, and returns the response body as JSON values.
func pcaOfficial(t *testing.T, cfg *openapi.Config, alg, op string, request map[string]any) map[string]any {
	t.Helper()
	c := *cfg
	if alg != sigV3 {
		c.SignatureAlgorithm = tea.String(alg)
	}
	client, err := openapi.NewClient(&c)
	if err != nil {
		t.Fatal(err)
	}
	out, err := pcaCall(op, request).call(&officials{openapi: client})
	if err != nil {
		t.Fatalf("%s under %s: %v", op, alg, err)
	}
	b, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]any
	if err := json.Unmarshal(b, &body); err != nil {
		t.Fatal(err)
	}
	return body
}

func pcaTestCSR(t *testing.T, name string) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject: pkix.Name{CommonName: name}, DNSNames: []string{name}}, key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}))
}

func TestOfficialRuntimePrivateCAAgainstAlicertFakeProcess(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "alicert")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/alicert/alicert/cmd/alicert").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v: %s", err, out)
	}
	state := t.TempDir()
	started, stop := startFake(t, bin, state)
	var ca fakePCAStarted
	if err := json.Unmarshal(started.raw, &ca); err != nil || ca.PrivateCA.SubCAIdentifier == "" {
		t.Fatalf("alicert fake -json names no sub-CA (%v): %s", err, started.raw)
	}
	cfg := sdkConfig(t, started)

	issued := map[string]string{} // algorithm -> certificate identifier
	for _, alg := range []string{sigV2, sigV3} {
		// A sub-CA with a ClientToken: under V3 the runtime sends the
		// token alone in a form body, as the model's client does.
		sub := pcaOfficial(t, cfg, alg, "CreateSubCACertificate", map[string]any{
			"ParentIdentifier": ca.PrivateCA.RootIdentifier, "Algorithm": "ECC_256", "CommonName": "Issuing " + alg,
			"Organization": "Example", "OrganizationUnit": "Security", "Locality": "Hangzhou", "State": "Zhejiang",
			"Years": int32(5), "ClientToken": "token-" + alg,
		})
		if sub["Identifier"] == "" || sub["Certificate"] == "" {
			t.Fatalf("CreateSubCACertificate under %s: %v", alg, sub)
		}
		leaf := pcaOfficial(t, cfg, alg, "CreateCustomCertificate", map[string]any{
			"ParentIdentifier": ca.PrivateCA.SubCAIdentifier, "Csr": pcaTestCSR(t, "svc.internal"), "Validity": "30d",
			"Immediately": int32(2), "customIdentifier": "compat-" + alg,
			"ApiPassthrough": map[string]any{"Extensions": map[string]any{
				"ExtendedKeyUsages":       []any{"serverAuth", "clientAuth"},
				"KeyUsage":                map[string]any{"DigitalSignature": true, "KeyEncipherment": true},
				"SubjectAlternativeNames": []any{map[string]any{"Type": "dNSName", "Value": "svc.internal"}},
			}},
		})
		id, _ := leaf["Identifier"].(string)
		certs, _ := leaf["Certificate"].(string)
		block, _ := pem.Decode([]byte(certs))
		if id == "" || block == nil {
			t.Fatalf("CreateCustomCertificate under %s: %v", alg, leaf)
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		if len(cert.DNSNames) != 1 || cert.DNSNames[0] != "svc.internal" || len(cert.ExtKeyUsage) != 2 {
			t.Errorf("under %s the certificate holds %v and %v", alg, cert.DNSNames, cert.ExtKeyUsage)
		}
		issued[alg] = id
	}
	revoked := pcaOfficial(t, cfg, sigV3, "CreateRevokeClientCertificate", map[string]any{"Identifier": issued[sigV2]})
	if revoked["RequestId"] == "" {
		t.Errorf("CreateRevokeClientCertificate: %v", revoked)
	}
	stop()

	restarted, _ := startFake(t, bin, state)
	cfg = sdkConfig(t, restarted)
	list := pcaOfficial(t, cfg, sigV2, "ListRevokeCertificate", map[string]any{})
	if n, _ := list["TotalCount"].(float64); n != 1 {
		t.Errorf("after a restart %v certificates are revoked, want 1: %v", list["TotalCount"], list)
	}
	desc := pcaOfficial(t, cfg, sigV3, "DescribeClientCertificate", map[string]any{"Identifier": issued[sigV3]})
	c, _ := desc["Certificate"].(map[string]any)
	if c["CustomIdentifier"] != "compat-"+sigV3 || c["Status"] != "ISSUE" {
		t.Errorf("after a restart the certificate reads %v", c)
	}
	cas := pcaOfficial(t, cfg, sigV2, "DescribeCACertificateList", map[string]any{"CertType": "subRoot"})
	if n, _ := cas["TotalCount"].(float64); n != 3 {
		t.Errorf("after a restart the fake lists %v sub-CAs, want the seeded one and two made here: %v", cas["TotalCount"], cas)
	}
}
