package compat

import (
	"strconv"
	"testing"
	"time"

	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	kms3 "github.com/alibabacloud-go/kms-20160120/v3/client"
	"github.com/alibabacloud-go/tea/dara"
	"github.com/alibabacloud-go/tea/tea"
	"github.com/alicert/alicert"
	"github.com/alicert/alicert/alicerttest"
)

// Tests of the darabonba clients of github.com/alibabacloud-go: the
// generated KMS client (kms-20160120/v3), and the generic OpenAPI client
// for CAS and Alidns, which have no generated client among this module's
// dependencies. They sign with signature V3 (ACS3-HMAC-SHA256) by default,
// parameters in the query; SignatureAlgorithm "v2" makes them sign with
// HMAC-SHA1. Every test runs under both.

// forEachAlgorithm runs f once per darabonba signature algorithm.
func forEachAlgorithm(t *testing.T, f func(t *testing.T, alg string)) {
	for _, alg := range []string{sigV3, sigV2} {
		t.Run(alg, func(t *testing.T) { f(t, alg) })
	}
}

func TestKMS3Certificate(t *testing.T) {
	forEachAlgorithm(t, func(t *testing.T, alg string) {
		srv := newServer(t)
		defer checkSigned(t, srv, alg)
		client := newKMS3(t, srv, secretOf(srv), alg)
		created, err := client.CreateCertificate(&kms3.CreateCertificateRequest{
			KeySpec:                 tea.String("RSA_2048"),
			Subject:                 tea.String("CN=www.example.com,C=CN,O=Example,OU=Ops"),
			SubjectAlternativeNames: map[string]interface{}{"DNS": []string{"www.example.com", "api.example.com"}},
			ExportablePrivateKey:    tea.Bool(false),
		})
		if err != nil {
			t.Fatalf("CreateCertificate: %v", err)
		}
		body := created.Body
		id := tea.StringValue(body.CertificateId)
		parseCSR(t, tea.StringValue(body.Csr), "www.example.com", "www.example.com", "api.example.com")
		checkArn(t, srv, alg, tea.StringValue(body.Arn), id)
		checkSANsSentAsObject(t, srv)

		certPEM, err := srv.SignCSR(tea.StringValue(body.Csr), 24*time.Hour)
		if err != nil {
			t.Fatalf("SignCSR: %v", err)
		}
		chainPEM := string(pemOf(srv.CACertificate().Raw))
		if _, err := client.UploadCertificate(&kms3.UploadCertificateRequest{
			CertificateId: tea.String(id), Certificate: tea.String(certPEM), CertificateChain: tea.String(chainPEM),
		}); err != nil {
			t.Fatalf("UploadCertificate: %v", err)
		}
		if cert, chain, ok := srv.UploadedCertificate(id); !ok || cert != certPEM || chain != chainPEM {
			t.Error("the fake holds another certificate or chain than the ones uploaded")
		}
	})
}

// rpc describes one RPC operation for the generic client.
func rpc(version, action string) *openapi.Params {
	return &openapi.Params{
		Action: tea.String(action), Version: tea.String(version),
		Protocol: tea.String("HTTP"), Pathname: tea.String("/"), Method: tea.String("POST"),
		AuthType: tea.String("AK"), Style: tea.String("RPC"),
		ReqBodyType: tea.String("formData"), BodyType: tea.String("json"),
	}
}

// callOpenAPI calls one operation with the generic client and converts its
// JSON body into out as the generated darabonba clients convert theirs
// (dara.Convert keeps numbers exact: order and CSR ids above 2^53 survive).
func callOpenAPI(t *testing.T, c *openapi.Client, version, action string, query map[string]string, out any) {
	t.Helper()
	res, err := c.CallApi(rpc(version, action), &openapi.OpenApiRequest{Query: tea.Merge(query)}, &dara.RuntimeOptions{})
	if err != nil {
		t.Fatalf("%s: %v", action, err)
	}
	if err := dara.Convert(res["body"], out); err != nil {
		t.Fatalf("%s: converting %v: %v", action, res["body"], err)
	}
}

const (
	casVersion    = "2020-04-07"
	alidnsVersion = "2015-01-09"
)

func TestOpenAPICAS(t *testing.T) {
	forEachAlgorithm(t, func(t *testing.T, alg string) {
		srv := newServer(t, alicerttest.WithReadsPerState(2))
		defer checkSigned(t, srv, alg)
		c := newOpenAPI(t, srv, secretOf(srv), alg)
		ac := newAlicert(t, srv, alg)

		var order alicert.CreateCertificateRequestOutput
		callOpenAPI(t, c, casVersion, "CreateCertificateRequest",
			map[string]string{"Domain": "www.example.com", "ValidateType": "DNS",
				"Username": "Alice", "Phone": "13800000000", "Email": "alice@example.com"}, &order)
		if ids := srv.OrderIDs(); len(ids) != 1 || order.OrderID != ids[0] || order.OrderID <= twoTo53 {
			t.Fatalf("OrderId %d, the fake created %v", order.OrderID, ids)
		}
		for range 3 {
			var theirs alicert.DescribeCertificateStateOutput
			callOpenAPI(t, c, casVersion, "DescribeCertificateState",
				map[string]string{"OrderId": strconv.FormatInt(order.OrderID, 10)}, &theirs)
			ours, err := ac.CAS.DescribeCertificateState(t.Context(), &alicert.DescribeCertificateStateInput{OrderID: order.OrderID})
			if err != nil {
				t.Fatalf("alicert DescribeCertificateState: %v", err)
			}
			theirs.RequestID, ours.RequestID = "", ""
			if theirs != *ours {
				t.Fatalf("the generic client read\n%+v\nalicert read\n%+v", theirs, *ours)
			}
		}

		var csr csrResponse
		callOpenAPI(t, c, casVersion, "CreateCsr", map[string]string{
			"Algorithm": "ECC", "KeySize": "256", "CommonName": "www.example.com",
			"CountryCode": "CN", "Province": "Zhejiang", "Locality": "Hangzhou", "Sans": "a.example.com",
		}, &csr)
		parseCSR(t, csr.Csr, "www.example.com", "a.example.com")
		var detail csrResponse
		callOpenAPI(t, c, casVersion, "GetCsrDetail", map[string]string{"CsrId": strconv.FormatInt(csr.CsrID, 10)}, &detail)
		ours, err := ac.CAS.GetCsrDetail(t.Context(), &alicert.GetCsrDetailInput{CsrID: csr.CsrID})
		if err != nil {
			t.Fatalf("alicert GetCsrDetail(%d): %v", csr.CsrID, err)
		}
		if detail.Csr != csr.Csr || ours.Csr != csr.Csr || detail.PrivateKey != ours.PrivateKey {
			t.Error("GetCsrDetail read another CSR or key through the generic client than through alicert")
		}
	})
}

func TestOpenAPIAlidns(t *testing.T) {
	forEachAlgorithm(t, func(t *testing.T, alg string) {
		srv := newServer(t)
		defer checkSigned(t, srv, alg)
		c := newOpenAPI(t, srv, secretOf(srv), alg)
		var added alicert.AddDomainRecordOutput
		callOpenAPI(t, c, alidnsVersion, "AddDomainRecord", map[string]string{
			"DomainName": "example.com", "RR": "_dnsauth", "Type": "TXT", "Value": "token-value",
		}, &added)
		var theirs alicert.DescribeSubDomainRecordsOutput
		callOpenAPI(t, c, alidnsVersion, "DescribeSubDomainRecords",
			map[string]string{"SubDomain": "_dnsauth.example.com"}, &theirs)
		ours, err := newAlicert(t, srv, alg).DNS.DescribeSubDomainRecords(t.Context(),
			&alicert.DescribeSubDomainRecordsInput{SubDomain: "_dnsauth.example.com"})
		if err != nil {
			t.Fatalf("alicert DescribeSubDomainRecords: %v", err)
		}
		if len(theirs.Records) != 1 || len(ours.Records) != 1 || theirs.Records[0] != ours.Records[0] ||
			theirs.Records[0].RecordID != added.RecordID {
			t.Fatalf("the generic client read %+v, alicert %+v (added %q)", theirs.Records, ours.Records, added.RecordID)
		}
		var deleted alicert.DeleteDomainRecordOutput
		callOpenAPI(t, c, alidnsVersion, "DeleteDomainRecord", map[string]string{"RecordId": added.RecordID}, &deleted)
		if deleted.RecordID != added.RecordID || len(srv.DNSRecords()) != 0 {
			t.Errorf("DeleteDomainRecord answered %q; the fake still holds %+v", deleted.RecordID, srv.DNSRecords())
		}
	})
}

// TestDarabonbaWrongSecret: a request signed with another secret is refused
// with the service's code under both algorithms, and does nothing.
func TestDarabonbaWrongSecret(t *testing.T) {
	forEachAlgorithm(t, func(t *testing.T, alg string) {
		srv := newServer(t)
		defer checkSigned(t, srv, alg)
		_, err := newKMS3(t, srv, secretOf(srv)+"x", alg).CreateCertificate(&kms3.CreateCertificateRequest{
			KeySpec: tea.String("EC_P256"), Subject: tea.String("CN=www.example.com,C=CN,O=Example,OU=Ops"),
		})
		if code := teaCode(err); code != "SignatureDoesNotMatch" {
			t.Fatalf("error %v (code %q), want SignatureDoesNotMatch", err, code)
		}
		if n := srv.KMSCertificateCount(); n != 0 {
			t.Errorf("%d KMS certificates created by a refused request", n)
		}
	})
}

// TestOpenAPIRequestForms sends the same operation by GET with the
// parameters in the query, and by POST with them in the form body, as the
// generic client can; the fake accepts both forms under both algorithms.
func TestOpenAPIRequestForms(t *testing.T) {
	forEachAlgorithm(t, func(t *testing.T, alg string) {
		srv := newServer(t)
		defer checkSigned(t, srv, alg)
		c := newOpenAPI(t, srv, secretOf(srv), alg)
		params := map[string]interface{}{"Domain": "www.example.com", "ValidateType": "DNS",
			"Username": "Alice", "Phone": "13800000000", "Email": "alice@example.com"}

		get := rpc(casVersion, "CreateCertificateRequest")
		get.Method = tea.String("GET")
		if _, err := c.CallApi(get, &openapi.OpenApiRequest{Query: tea.Merge(params)}, &dara.RuntimeOptions{}); err != nil {
			t.Fatalf("GET, parameters in the query: %v", err)
		}
		if _, err := c.CallApi(rpc(casVersion, "CreateCertificateRequest"), &openapi.OpenApiRequest{Body: params}, &dara.RuntimeOptions{}); err != nil {
			t.Fatalf("POST, parameters in the form body: %v", err)
		}
		if n := srv.OrderCount(); n != 2 {
			t.Errorf("%d orders, want 2", n)
		}
	})
}
