package compat

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/alicerttest"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/alidns"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/cas"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/kms"
)

// Tests of github.com/aliyun/alibaba-cloud-sdk-go, which signs with
// HMAC-SHA1 and sends the parameters in the query string of a POST.

// twoTo53 is where float64 stops holding every integer: order ids above it
// are rounded by a decoder that goes through float64.
const twoTo53 = 1 << 53

func TestAliyunCreateCertificateRequest(t *testing.T) {
	srv := newServer(t)
	defer checkSigned(t, srv, sigV2)
	req := cas.CreateCreateCertificateRequestRequest()
	req.Domain = "www.example.com"
	req.ValidateType = "DNS"
	req.Username, req.Phone, req.Email = "Alice", "13800000000", "alice@example.com"
	resp, err := newCAS(t, srv, secretOf(srv)).CreateCertificateRequest(req)
	if err != nil {
		t.Fatalf("CreateCertificateRequest: %v", err)
	}
	ids := srv.OrderIDs()
	if len(ids) != 1 || resp.OrderId != ids[0] {
		t.Fatalf("OrderId %d, the fake created %v", resp.OrderId, ids)
	}
	if resp.OrderId <= twoTo53 {
		t.Fatalf("OrderId %d is not above 2^53: the test proves nothing about rounding", resp.OrderId)
	}
	// alicert finds the order under the id the official SDK decoded.
	st, err := newAlicert(t, srv, sigV2).CAS.DescribeCertificateState(t.Context(),
		&alicert.DescribeCertificateStateInput{OrderID: resp.OrderId})
	if err != nil {
		t.Fatalf("alicert DescribeCertificateState(%d): %v", resp.OrderId, err)
	}
	if st.State != alicert.StateDomainVerify {
		t.Errorf("state %q, want %q", st.State, alicert.StateDomainVerify)
	}
}

// TestAliyunDescribeCertificateState reads one order alternately with the
// official SDK and with alicert; each state lasts two reads, so both see
// every state, and must decode every field alike.
func TestAliyunDescribeCertificateState(t *testing.T) {
	srv := newServer(t, alicerttest.WithReadsPerState(2))
	defer checkSigned(t, srv, sigV2)
	ac := newAlicert(t, srv, sigV2)
	order, err := ac.CAS.CreateCertificateRequest(t.Context(),
		&alicert.CreateCertificateRequestInput{Domain: "www.example.com", ValidateType: alicert.ValidateDNS,
			Username: "Alice", Phone: "13800000000", Email: "alice@example.com"})
	if err != nil {
		t.Fatalf("alicert CreateCertificateRequest: %v", err)
	}
	client := newCAS(t, srv, secretOf(srv))
	var seen []alicert.CertificateState
	for range 3 {
		req := cas.CreateDescribeCertificateStateRequest()
		req.OrderId = requests.NewInteger64(order.OrderID)
		theirs, err := client.DescribeCertificateState(req)
		if err != nil {
			t.Fatalf("DescribeCertificateState: %v", err)
		}
		ours, err := ac.CAS.DescribeCertificateState(t.Context(), &alicert.DescribeCertificateStateInput{OrderID: order.OrderID})
		if err != nil {
			t.Fatalf("alicert DescribeCertificateState: %v", err)
		}
		got := alicert.DescribeCertificateStateOutput{
			State: alicert.CertificateState(theirs.Type), Domain: theirs.Domain,
			RecordType: theirs.RecordType, RecordDomain: theirs.RecordDomain, RecordValue: theirs.RecordValue,
			ValidateType: theirs.ValidateType, URI: theirs.Uri, Content: theirs.Content,
			Certificate: theirs.Certificate, PrivateKey: theirs.PrivateKey,
		}
		// This SDK's model predates CertId, which alicert decodes (as a string,
		// like the current model): compare everything else.
		ours.RequestID, ours.CertID = "", ""
		if got != *ours {
			t.Fatalf("the official SDK decoded\n%+v\nalicert decoded\n%+v", got, *ours)
		}
		seen = append(seen, ours.State)
		if ours.State == alicert.StateCertificate {
			if _, err := alicert.ParseCertificates(theirs.Certificate); err != nil {
				t.Fatalf("the certificate does not parse: %v", err)
			}
			if !strings.Contains(theirs.PrivateKey, "PRIVATE KEY-----") {
				t.Fatal("the issued order has no private key PEM")
			}
		}
	}
	want := []alicert.CertificateState{alicert.StateDomainVerify, alicert.StateProcess, alicert.StateCertificate}
	if strings.Join(statesOf(seen), ",") != strings.Join(statesOf(want), ",") {
		t.Errorf("states %v, want %v", seen, want)
	}
}

// csrResponse is CreateCsr's and GetCsrDetail's response, decoded exactly
// (CsrId as an int64, never through float64).
type csrResponse struct {
	CsrID      int64  `json:"CsrId"`
	Csr        string `json:"Csr"`
	PrivateKey string `json:"PrivateKey"`
}

// commonCAS is a CommonRequest for a CAS action the generated client
// lacks. It names no Domain or Scheme: the client's Domain and Scheme
// (see newCAS) send it to the fake like the generated calls.
func commonCAS(action string, params map[string]string) *requests.CommonRequest {
	req := requests.NewCommonRequest()
	req.Method = requests.POST
	req.Version = "2020-04-07"
	req.ApiName = action
	for k, v := range params {
		req.QueryParams[k] = v
	}
	return req
}

// TestAliyunCsr runs CreateCsr and GetCsrDetail, which the generated CAS
// client does not have, as CommonRequests.
func TestAliyunCsr(t *testing.T) {
	srv := newServer(t)
	defer checkSigned(t, srv, sigV2)
	client := newCAS(t, srv, secretOf(srv))
	resp, err := client.ProcessCommonRequest(commonCAS("CreateCsr", map[string]string{
		"Algorithm": "RSA", "KeySize": "2048", "CommonName": "www.example.com",
		"CountryCode": "CN", "Province": "Zhejiang", "Locality": "Hangzhou",
		"Sans": "a.example.com,b.example.com",
	}))
	if err != nil {
		t.Fatalf("CreateCsr: %v", err)
	}
	var created csrResponse
	if err := json.Unmarshal(resp.GetHttpContentBytes(), &created); err != nil {
		t.Fatalf("CreateCsr response: %v", err)
	}
	parseCSR(t, created.Csr, "www.example.com", "a.example.com", "b.example.com")

	resp, err = client.ProcessCommonRequest(commonCAS("GetCsrDetail", map[string]string{
		"CsrId": strconv.FormatInt(created.CsrID, 10),
	}))
	if err != nil {
		t.Fatalf("GetCsrDetail: %v", err)
	}
	var detail csrResponse
	if err := json.Unmarshal(resp.GetHttpContentBytes(), &detail); err != nil {
		t.Fatalf("GetCsrDetail response: %v", err)
	}
	ours, err := newAlicert(t, srv, sigV2).CAS.GetCsrDetail(t.Context(), &alicert.GetCsrDetailInput{CsrID: created.CsrID})
	if err != nil {
		t.Fatalf("alicert GetCsrDetail(%d): %v", created.CsrID, err)
	}
	if detail.Csr != created.Csr || ours.Csr != created.Csr {
		t.Error("GetCsrDetail returns another CSR than CreateCsr did")
	}
	if detail.PrivateKey == "" || detail.PrivateKey != ours.PrivateKey {
		t.Error("the official SDK and alicert read different private keys")
	}
}

// TestAliyunKMSCertificate creates a KMS certificate, has the fake's CA sign
// its CSR and uploads the certificate. The generated request types
// SubjectAlternativeNames as a map, so the SDK sends a JSON object.
func TestAliyunKMSCertificate(t *testing.T) {
	srv := newServer(t)
	defer checkSigned(t, srv, sigV2)
	client := newKMS(t, srv, secretOf(srv))
	req := kms.CreateCreateCertificateRequest()
	req.KeySpec = "EC_P256"
	req.Subject = "CN=www.example.com,C=CN,O=Example,OU=Ops"
	req.SubjectAlternativeNames = map[string]interface{}{"DNS": []string{"www.example.com", "api.example.com"}}
	req.ExportablePrivateKey = requests.NewBoolean(false)
	created, err := client.CreateCertificate(req)
	if err != nil {
		t.Fatalf("CreateCertificate: %v", err)
	}
	parseCSR(t, created.Csr, "www.example.com", "www.example.com", "api.example.com")
	checkArn(t, srv, sigV2, created.Arn, created.CertificateId)
	checkSANsSentAsObject(t, srv)

	certPEM, err := srv.SignCSR(created.Csr, 24*time.Hour)
	if err != nil {
		t.Fatalf("SignCSR: %v", err)
	}
	up := kms.CreateUploadCertificateRequest()
	up.CertificateId = created.CertificateId
	up.Certificate = certPEM
	if _, err := client.UploadCertificate(up); err != nil {
		t.Fatalf("UploadCertificate: %v", err)
	}
	if got, _, ok := srv.UploadedCertificate(created.CertificateId); !ok || got != certPEM {
		t.Error("the fake holds another certificate than the one uploaded")
	}
}

// checkArn checks a KMS certificate's ARN against the one alicert gets for
// a certificate of its own: same form, same region and account.
func checkArn(t *testing.T, srv *alicerttest.Server, alg, arn, id string) {
	t.Helper()
	ours, err := newAlicert(t, srv, alg).KMS.CreateCertificate(t.Context(), &alicert.CreateCertificateInput{
		KeySpec: alicert.KeySpecECP256,
		Subject: alicert.Subject{CommonName: "x.example.com", Country: "CN", Organization: "Example", OrganizationalUnit: "Ops"},
	})
	if err != nil {
		t.Fatalf("alicert CreateCertificate: %v", err)
	}
	prefix := strings.TrimSuffix(ours.Arn, ours.CertificateID)
	if arn != prefix+id {
		t.Errorf("Arn %q, want %q (as alicert decodes it)", arn, prefix+id)
	}
}

// TestAliyunAlidns adds, lists and deletes a record, and compares the
// listing with alicert's.
func TestAliyunAlidns(t *testing.T) {
	srv := newServer(t)
	defer checkSigned(t, srv, sigV2)
	client := newAlidns(t, srv, secretOf(srv))
	add := alidns.CreateAddDomainRecordRequest()
	add.DomainName, add.RR, add.Type, add.Value = "example.com", "_dnsauth.www", "TXT", "token-value"
	add.TTL = requests.NewInteger(600)
	added, err := client.AddDomainRecord(add)
	if err != nil {
		t.Fatalf("AddDomainRecord: %v", err)
	}
	if recs := srv.DNSRecords(); len(recs) != 1 || recs[0].ID != added.RecordId {
		t.Fatalf("RecordId %q, the fake holds %+v", added.RecordId, recs)
	}

	list := alidns.CreateDescribeSubDomainRecordsRequest()
	list.SubDomain, list.Type = "_dnsauth.www.example.com", "TXT"
	theirs, err := client.DescribeSubDomainRecords(list)
	if err != nil {
		t.Fatalf("DescribeSubDomainRecords: %v", err)
	}
	ours, err := newAlicert(t, srv, sigV2).DNS.DescribeSubDomainRecords(t.Context(),
		&alicert.DescribeSubDomainRecordsInput{SubDomain: "_dnsauth.www.example.com", Type: "TXT"})
	if err != nil {
		t.Fatalf("alicert DescribeSubDomainRecords: %v", err)
	}
	if theirs.TotalCount != ours.TotalCount || theirs.PageNumber != ours.PageNumber || theirs.PageSize != ours.PageSize {
		t.Errorf("paging: the official SDK decoded %d/%d/%d, alicert %d/%d/%d",
			theirs.TotalCount, theirs.PageNumber, theirs.PageSize, ours.TotalCount, ours.PageNumber, ours.PageSize)
	}
	var got []alicert.DomainRecord
	for _, r := range theirs.DomainRecords.Record {
		got = append(got, alicert.DomainRecord{
			DomainName: r.DomainName, RecordID: r.RecordId, RR: r.RR, Type: r.Type, Value: r.Value,
			TTL: r.TTL, Priority: r.Priority, Line: r.Line, Status: r.Status, Locked: r.Locked,
			Weight: int64(r.Weight), Remark: r.Remark,
		})
	}
	if len(got) != 1 || len(ours.Records) != 1 || got[0] != ours.Records[0] || got[0].RecordID != added.RecordId {
		t.Fatalf("the official SDK decoded %+v, alicert %+v", got, ours.Records)
	}

	del := alidns.CreateDeleteDomainRecordRequest()
	del.RecordId = added.RecordId
	deleted, err := client.DeleteDomainRecord(del)
	if err != nil {
		t.Fatalf("DeleteDomainRecord: %v", err)
	}
	if deleted.RecordId != added.RecordId || len(srv.DNSRecords()) != 0 {
		t.Errorf("DeleteDomainRecord answered %q; the fake still holds %+v", deleted.RecordId, srv.DNSRecords())
	}
}

// TestAliyunWrongSecret: a request signed with another secret is refused
// with the service's code, and does nothing.
func TestAliyunWrongSecret(t *testing.T) {
	srv := newServer(t)
	defer checkSigned(t, srv, sigV2)
	req := cas.CreateCreateCertificateRequestRequest()
	req.Domain, req.ValidateType = "www.example.com", "DNS"
	req.Username, req.Phone, req.Email = "Alice", "13800000000", "alice@example.com"
	_, err := newCAS(t, srv, secretOf(srv)+"x").CreateCertificateRequest(req)
	if code := aliyunCode(err); code != "SignatureDoesNotMatch" {
		t.Fatalf("error %v (code %q), want SignatureDoesNotMatch", err, code)
	}
	if n := srv.OrderCount(); n != 0 {
		t.Errorf("%d orders created by a refused request", n)
	}
}

// checkSANsSentAsObject checks that the SDK sent SubjectAlternativeNames
// as a JSON object, the form its model types the field as, so that the test
// covers the fake's reading of that form.
func checkSANsSentAsObject(t *testing.T, srv *alicerttest.Server) {
	t.Helper()
	for _, r := range srv.Requests() {
		if r.Action == "CreateCertificate" && r.Params.Has("SubjectAlternativeNames") {
			if v := r.Params.Get("SubjectAlternativeNames"); !strings.HasPrefix(v, "{") {
				t.Errorf("SubjectAlternativeNames sent as %q, want a JSON object", v)
			}
			return
		}
	}
	t.Error("no CreateCertificate request carried SubjectAlternativeNames")
}

func secretOf(srv *alicerttest.Server) string {
	_, secret := srv.Credentials()
	return secret
}

func statesOf(s []alicert.CertificateState) []string {
	out := make([]string, len(s))
	for i, st := range s {
		out[i] = string(st)
	}
	return out
}

// TestAliyunGET: the SDK can send any call by GET, parameters in the query.
func TestAliyunGET(t *testing.T) {
	srv := newServer(t)
	defer checkSigned(t, srv, sigV2)
	req := cas.CreateCreateCertificateRequestRequest()
	req.Domain, req.ValidateType = "www.example.com", "DNS"
	req.Username, req.Phone, req.Email = "Alice", "13800000000", "alice@example.com"
	req.Method = requests.GET
	if _, err := newCAS(t, srv, secretOf(srv)).CreateCertificateRequest(req); err != nil {
		t.Fatalf("CreateCertificateRequest by GET: %v", err)
	}
	if n := srv.OrderCount(); n != 1 {
		t.Errorf("%d orders, want 1", n)
	}
}
