package alicert_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/alicerttest"
)

// newExampleClient returns a client for a fresh fake service. Real programs
// call alicert.NewClient() with their region and credentials instead.
func newExampleClient(opts ...alicerttest.Option) (*alicert.Client, *alicerttest.Server) {
	srv := alicerttest.NewServer(opts...)
	client, err := alicert.NewClient(srv.ClientOptions()...)
	if err != nil {
		log.Fatal(err)
	}
	return client, srv
}

func ExampleNewClient() {
	// Credentials come from the default chain (environment variables, CLI
	// profile, ECS RAM role, ...) on the first call; NewClient needs no network.
	client, err := alicert.NewClient(
		alicert.WithRegion("ap-southeast-1"),
		alicert.WithMaxAttempts(5),
		alicert.WithRetryDelay(100*time.Millisecond, 3*time.Second),
	)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(client)
	// Output: alicert.Client{Region: "ap-southeast-1", CAS: "https://cas.ap-southeast-1.aliyuncs.com/", KMS: "https://kms.ap-southeast-1.aliyuncs.com/", Credentials: default}
}

func ExampleCASService_CreateCertificateRequest() {
	client, srv := newExampleClient()
	defer srv.Close()

	order, err := client.CAS.CreateCertificateRequest(context.Background(), &alicert.CreateCertificateRequestInput{
		ProductCode:  "digicert-free-1-free",
		Username:     "Zhang San", // the applicant's contact is required
		Phone:        "13800000000",
		Email:        "ops@example.com",
		Domain:       "www.example.com",
		ValidateType: alicert.ValidateDNS,
		Tags:         []alicert.Tag{{Key: "team", Value: "web"}},
	})
	if errors.Is(err, alicert.ErrOutcomeUnknown) {
		// The order may exist: look before ordering again.
		log.Fatal(err)
	}
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("order id above 2^53, exact:", order.OrderID > 1<<53)
	// Output: order id above 2^53, exact: true
}

func ExampleCASService_DescribeCertificateState() {
	client, srv := newExampleClient()
	defer srv.Close()
	ctx := context.Background()
	order, err := client.CAS.CreateCertificateRequest(ctx, &alicert.CreateCertificateRequestInput{
		Domain: "www.example.com", ValidateType: alicert.ValidateDNS,
		Username: "Zhang San", Phone: "13800000000", Email: "ops@example.com",
	})
	if err != nil {
		log.Fatal(err)
	}

	state, err := client.CAS.DescribeCertificateState(ctx, &alicert.DescribeCertificateStateInput{OrderID: order.OrderID})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(state.State)
	fmt.Println("add a", state.RecordType, "record at", state.RecordDomain)
	// Output:
	// domain_verify
	// add a TXT record at _dnsauth.www.example.com
}

func ExampleCASService_WaitForCertificate() {
	client, srv := newExampleClient()
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	order, err := client.CAS.CreateCertificateRequest(ctx, &alicert.CreateCertificateRequestInput{
		Domain: "www.example.com", ValidateType: alicert.ValidateDNS,
		Username: "Zhang San", Phone: "13800000000", Email: "ops@example.com",
	})
	if err != nil {
		log.Fatal(err)
	}

	issued, err := client.CAS.WaitForCertificate(ctx,
		&alicert.DescribeCertificateStateInput{OrderID: order.OrderID},
		alicert.WithPollInterval(time.Millisecond), // real orders: leave the 30s default
		alicert.WithProgress(func(s *alicert.DescribeCertificateStateOutput) { fmt.Println("state:", s.State) }),
	)
	if errors.Is(err, alicert.ErrVerifyFailed) {
		log.Fatal("the CA rejected the order; apply again")
	}
	if err != nil {
		log.Fatal(err)
	}
	chain, err := issued.ParseCertificates()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("issued for", chain[0].DNSNames)
	// Output:
	// state: domain_verify
	// state: process
	// state: certificate
	// issued for [www.example.com]
}

func ExampleCASService_CreateCsr() {
	client, srv := newExampleClient()
	defer srv.Close()

	created, err := client.CAS.CreateCsr(context.Background(), &alicert.CreateCsrInput{
		Algorithm: alicert.AlgorithmECC, KeySize: 256,
		CommonName: "www.example.com", SANs: []string{"api.example.com"},
		CountryCode: "CN", Province: "Zhejiang", Locality: "Hangzhou",
	})
	if err != nil {
		log.Fatal(err)
	}
	csr, err := created.ParseCSR()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(csr.Subject.CommonName, csr.DNSNames)
	// Output: www.example.com [www.example.com api.example.com]
}

func ExampleCASService_GetCsrDetail() {
	client, srv := newExampleClient()
	defer srv.Close()
	ctx := context.Background()
	created, err := client.CAS.CreateCsr(ctx, &alicert.CreateCsrInput{
		Algorithm: alicert.AlgorithmECC, KeySize: 256, CommonName: "www.example.com",
		CountryCode: "CN", Province: "Zhejiang", Locality: "Hangzhou",
	})
	if err != nil {
		log.Fatal(err)
	}

	detail, err := client.CAS.GetCsrDetail(ctx, &alicert.GetCsrDetailInput{CsrID: created.CsrID})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(detail.Csr == created.Csr, detail.PrivateKey != "")
	fmt.Printf("%+v\n", alicert.GetCsrDetailOutput{PrivateKey: detail.PrivateKey}) // the key never prints
	// Output:
	// true true
	// {Csr: PrivateKey:[redacted] RequestID:}
}

func ExampleKMSService_CreateCertificate() {
	client, srv := newExampleClient()
	defer srv.Close()

	created, err := client.KMS.CreateCertificate(context.Background(), &alicert.CreateCertificateInput{
		KeySpec: alicert.KeySpecECP256,
		Subject: alicert.Subject{
			CommonName: "svc.example.com", Country: "CN",
			Organization: "Example, Inc.", OrganizationalUnit: "Platform",
		},
		SubjectAlternativeNames: []string{"svc.example.com"},
		ExportablePrivateKey:    false, // the key never leaves KMS
	})
	if err != nil {
		log.Fatal(err)
	}
	csr, err := created.ParseCSR()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(csr.Subject.Organization)
	// Output: [Example, Inc.]
}

func ExampleKMSService_UploadCertificate() {
	client, srv := newExampleClient()
	defer srv.Close()
	ctx := context.Background()
	created, err := client.KMS.CreateCertificate(ctx, &alicert.CreateCertificateInput{
		KeySpec: alicert.KeySpecECP256,
		Subject: alicert.Subject{CommonName: "svc.example.com", Country: "CN", Organization: "Example", OrganizationalUnit: "IT"},
	})
	if err != nil {
		log.Fatal(err)
	}
	// A CA signs the CSR; here the fake's test CA plays that part.
	certPEM, err := srv.SignCSR(created.Csr, 24*time.Hour)
	if err != nil {
		log.Fatal(err)
	}

	_, err = client.KMS.UploadCertificate(ctx, &alicert.UploadCertificateInput{
		CertificateID: created.CertificateID,
		Certificate:   certPEM,
	})
	fmt.Println("uploaded:", err == nil)
	// Output: uploaded: true
}

func ExampleValidationError() {
	client, srv := newExampleClient()
	defer srv.Close()

	_, err := client.CAS.CreateCsr(context.Background(), &alicert.CreateCsrInput{
		Algorithm: alicert.AlgorithmRSA, KeySize: 1024, CommonName: "www.example.com",
		CountryCode: "China", Province: "Zhejiang",
	})
	var ve *alicert.ValidationError
	if errors.As(err, &ve) {
		for _, f := range ve.Fields {
			fmt.Println(f.Field)
		}
	}
	fmt.Println("requests sent:", len(srv.Requests()))
	// Output:
	// KeySize
	// CountryCode
	// Locality
	// requests sent: 0
}

func ExampleAPIError() {
	client, srv := newExampleClient()
	defer srv.Close()
	srv.InjectFault("DescribeCertificateState", alicerttest.Fault{Kind: alicerttest.FaultThrottle}, 0) // always throttled

	_, err := client.CAS.DescribeCertificateState(context.Background(), &alicert.DescribeCertificateStateInput{OrderID: 1})
	var apiErr *alicert.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.StatusCode, apiErr.Code, apiErr.RequestID != "")
	}
	// Output: 400 Throttling.User true
}

func ExampleDNSService_AddDomainRecord() {
	client, srv := newExampleClient()
	defer srv.Close()

	added, err := client.DNS.AddDomainRecord(context.Background(), &alicert.AddDomainRecordInput{
		DomainName: "example.com", RR: "_dnsauth.www", Type: "TXT", Value: "2025031400000abc",
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("record id:", added.RecordID != "")
	for _, r := range srv.DNSRecords() {
		fmt.Println(r.Name, r.Type, r.Value)
	}
	// Output:
	// record id: true
	// _dnsauth.www.example.com TXT 2025031400000abc
}

func ExampleDNSService_DescribeSubDomainRecords() {
	client, srv := newExampleClient()
	defer srv.Close()
	if _, err := srv.AddDNSRecord("_dnsauth.www.example.com", "TXT", "2025031400000abc"); err != nil {
		log.Fatal(err)
	}

	found, err := client.DNS.DescribeSubDomainRecords(context.Background(), &alicert.DescribeSubDomainRecordsInput{
		SubDomain: "_dnsauth.www.example.com", Type: "TXT",
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range found.Records {
		fmt.Println(r.DomainName, r.RR, r.Type, r.Value)
	}
	// Output: example.com _dnsauth.www TXT 2025031400000abc
}

func ExampleDNSService_DeleteDomainRecord() {
	client, srv := newExampleClient()
	defer srv.Close()
	id, err := srv.AddDNSRecord("_dnsauth.www.example.com", "TXT", "2025031400000abc")
	if err != nil {
		log.Fatal(err)
	}

	_, err = client.DNS.DeleteDomainRecord(context.Background(), &alicert.DeleteDomainRecordInput{RecordID: id})
	fmt.Println("deleted:", err == nil, "records left:", len(srv.DNSRecords()))
	// Output: deleted: true records left: 0
}

// newExampleKey creates an EC P-256 signing key in the fake KMS.
func newExampleKey(client *alicert.Client) alicert.KeyMetadata {
	created, err := client.KMS.CreateKey(context.Background(), &alicert.CreateKeyInput{
		KeySpec: "EC_P256", KeyUsage: alicert.KeyUsageSignVerify, Description: "TLS key of www.example.com",
	})
	if err != nil {
		log.Fatal(err)
	}
	return created.KeyMetadata
}

func ExampleKMSService_CreateKey() {
	client, srv := newExampleClient()
	defer srv.Close()

	created, err := client.KMS.CreateKey(context.Background(), &alicert.CreateKeyInput{
		KeySpec:  "EC_P256",
		KeyUsage: alicert.KeyUsageSignVerify,
	})
	if errors.Is(err, alicert.ErrOutcomeUnknown) {
		// The key may exist: look for it (ListKeys, the console) first.
		log.Fatal(err)
	}
	if err != nil {
		log.Fatal(err)
	}
	m := created.KeyMetadata
	fmt.Println(m.KeySpec, m.KeyUsage, m.KeyState, m.PrimaryKeyVersion != "")
	// Output: EC_P256 SIGN/VERIFY Enabled true
}

func ExampleKMSService_GetPublicKey() {
	client, srv := newExampleClient()
	defer srv.Close()
	key := newExampleKey(client)

	out, err := client.KMS.GetPublicKey(context.Background(), &alicert.GetPublicKeyInput{
		KeyID: key.KeyID, KeyVersionID: key.PrimaryKeyVersion,
	})
	if err != nil {
		log.Fatal(err)
	}
	block, _ := pem.Decode([]byte(out.PublicKey))
	pub, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s %T\n", block.Type, pub)
	// Output: PUBLIC KEY *ecdsa.PublicKey
}

func ExampleKMSService_AsymmetricSign() {
	client, srv := newExampleClient()
	defer srv.Close()
	ctx := context.Background()
	key := newExampleKey(client)

	digest := sha256.Sum256([]byte("message"))
	sig, err := client.KMS.AsymmetricSign(ctx, &alicert.AsymmetricSignInput{
		KeyID: key.KeyID, KeyVersionID: key.PrimaryKeyVersion,
		Algorithm: alicert.AlgorithmECDSASHA256, Digest: digest[:],
	})
	if err != nil {
		log.Fatal(err)
	}
	pemOut, err := client.KMS.GetPublicKey(ctx, &alicert.GetPublicKeyInput{KeyID: key.KeyID, KeyVersionID: key.PrimaryKeyVersion})
	if err != nil {
		log.Fatal(err)
	}
	block, _ := pem.Decode([]byte(pemOut.PublicKey))
	pub, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("verifies:", ecdsa.VerifyASN1(pub.(*ecdsa.PublicKey), digest[:], sig.Value))
	// Output: verifies: true
}

func ExampleKMSService_ListKeyVersions() {
	client, srv := newExampleClient()
	defer srv.Close()
	key := newExampleKey(client)

	out, err := client.KMS.ListKeyVersions(context.Background(), &alicert.ListKeyVersionsInput{KeyID: key.KeyID, PageSize: 100})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(out.TotalCount, out.KeyVersions[0].KeyVersionID == key.PrimaryKeyVersion)
	// Output: 1 true
}

func ExampleNewKMSSigner() {
	client, srv := newExampleClient()
	defer srv.Close()
	key := newExampleKey(client)

	// "" is the key's primary version. The public key is fetched once, here.
	signer, err := alicert.NewKMSSigner(context.Background(), client, key.KeyID, "", alicert.WithSignTimeout(5*time.Second))
	if err != nil {
		log.Fatal(err)
	}
	// A CSR whose key never leaves KMS: one AsymmetricSign request.
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject:  pkix.Name{CommonName: "www.example.com"},
		DNSNames: []string{"www.example.com"},
	}, signer)
	if err != nil {
		log.Fatal(err)
	}
	csr, err := x509.ParseCertificateRequest(der)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("signature valid:", csr.CheckSignature() == nil)

	// Only SHA-256 digests: anything else fails before a request is sent.
	_, err = signer.Sign(rand.Reader, make([]byte, 48), crypto.SHA384)
	fmt.Println(err)
	// Output:
	// signature valid: true
	// alicert: KMSSigner: hash SHA-384 is not supported; KMS signs SHA-256 digests only
}

func ExampleKMSSigner_TLSCertificate() {
	client, srv := newExampleClient()
	defer srv.Close()
	key := newExampleKey(client)
	signer, err := alicert.NewKMSSigner(context.Background(), client, key.KeyID, "")
	if err != nil {
		log.Fatal(err)
	}
	csrDER, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{DNSNames: []string{"www.example.com"}}, signer)
	if err != nil {
		log.Fatal(err)
	}
	// A CA issues the certificate; here the fake's test CA does.
	chainPEM, err := srv.SignCSR(string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: csrDER})), 0)
	if err != nil {
		log.Fatal(err)
	}

	cert, err := signer.TLSCertificate([]byte(chainPEM))
	if err != nil {
		log.Fatal(err)
	}
	// tls.Config{Certificates: []tls.Certificate{cert}} serves with the KMS key.
	fmt.Println(cert.SupportedSignatureAlgorithms)
	// Output: [ECDSAWithP256AndSHA256]
}

// newDeployExample returns a client for a fake account with one contact, a
// CDN domain and a load balancer listener serving certificate 1001, and an
// OSS bucket domain serving another.
func newDeployExample() (*alicert.Client, *alicerttest.Server) {
	return newExampleClient(
		alicerttest.WithContact("Ops", "ops@example.com", "13800000000"),
		alicerttest.WithCloudResource(alicerttest.CloudResource{ID: 1, CloudProduct: "CDN", Domain: "www.example.com", CertID: 1001}),
		alicerttest.WithCloudResource(alicerttest.CloudResource{ID: 2, CloudProduct: "SLB", InstanceID: "lb-bp1", ListenerID: "lsn-bp1@443", ListenerPort: "443", CertID: 1001}),
		alicerttest.WithCloudResource(alicerttest.CloudResource{ID: 3, CloudProduct: "OSS", Domain: "img.example.com", CertID: 900}),
	)
}

// newExampleJob creates a job deploying certificate 2002 to resource 1.
func newExampleJob(ctx context.Context, client *alicert.Client) int64 {
	job, err := client.CAS.CreateDeploymentJob(ctx, &alicert.CreateDeploymentJobInput{
		Name: "renew-www", JobType: alicert.JobTypeUser,
		CertIDs: []int64{2002}, ResourceIDs: []int64{1}, ContactIDs: []int64{519580},
	})
	if err != nil {
		log.Fatal(err)
	}
	return job.JobID
}

func ExampleCASService_Deploy() {
	client, srv := newDeployExample()
	defer srv.Close()
	ctx := context.Background()

	// Replace certificate 1001 with 2002 wherever it is served.
	serving, err := client.CAS.CloudResourcesServing(ctx, 1001)
	if err != nil {
		log.Fatal(err)
	}
	var ids []int64
	for _, r := range serving {
		ids = append(ids, r.ID)
	}
	out, err := client.CAS.Deploy(ctx, &alicert.DeployInput{
		CertID: 2002, ResourceIDs: ids,
		PollInterval: time.Millisecond, // real jobs: leave the 30s default
		Progress:     func(e alicert.DeployEvent) { fmt.Println(e.Message) },
	})
	if errors.Is(err, alicert.ErrDeploymentFailed) {
		log.Fatal(err) // names each resource that failed; out.Workers has them all
	}
	if err != nil {
		log.Fatal(err)
	}
	for _, w := range out.Workers {
		fmt.Println(w.CloudProduct, w.ResourceID, w.Status)
	}
	// Output:
	// no ContactIDs given: notifying the account's first contact, 519580 (Ops)
	// created job 8888 (alicert-2002-b59e0e2bea08)
	// started job 8888
	// job 8888: pending
	// job 8888: scheduling
	// job 8888: processing
	// job 8888: success
	// CDN 1 success
	// SLB 2 success
}

func ExampleCASService_ListCloudResources() {
	client, srv := newDeployExample()
	defer srv.Close()
	out, err := client.CAS.ListCloudResources(context.Background(), &alicert.ListCloudResourcesInput{
		CloudName: alicert.CloudAliyun, CertIDs: []int64{1001},
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range out.Data {
		fmt.Println(r.ID, r.CloudProduct, r.Domain+r.ListenerID, r.CertID)
	}
	// Output:
	// 1 CDN www.example.com 1001
	// 2 SLB lsn-bp1@443 1001
}

func ExampleCASService_AllCloudResources() {
	client, srv := newDeployExample()
	defer srv.Close()
	// One page at a time, as the loop asks; break stops the requests.
	for r, err := range client.CAS.AllCloudResources(context.Background(), &alicert.ListCloudResourcesInput{ShowSize: 1}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(r.CloudProduct, r.CertID)
	}
	// Output:
	// CDN 1001
	// SLB 1001
	// OSS 900
}

func ExampleCASService_ListContact() {
	client, srv := newDeployExample()
	defer srv.Close()
	out, err := client.CAS.ListContact(context.Background(), &alicert.ListContactInput{Keyword: "ops"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(out.TotalCount, out.ContactList[0].ContactID, out.ContactList[0].Email)
	// Output: 1 519580 ops@example.com
}

func ExampleCASService_CreateDeploymentJob() {
	client, srv := newDeployExample()
	defer srv.Close()
	ctx := context.Background()
	job, err := client.CAS.CreateDeploymentJob(ctx, &alicert.CreateDeploymentJobInput{
		Name: "renew-www", JobType: alicert.JobTypeUser,
		CertIDs: []int64{2002}, ResourceIDs: []int64{1, 2}, ContactIDs: []int64{519580},
	})
	if errors.Is(err, alicert.ErrOutcomeUnknown) {
		// The job may exist: look for it by its name before creating another.
		found, ferr := client.CAS.FindDeploymentJob(ctx, "renew-www")
		fmt.Println(found, ferr)
		return
	}
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("created job", job.JobID)
	// Output: created job 8888
}

func ExampleCASService_UpdateDeploymentJobStatus() {
	client, srv := newDeployExample()
	defer srv.Close()
	ctx := context.Background()
	jobID := newExampleJob(ctx, client)
	// A job does nothing until it is pending.
	if _, err := client.CAS.UpdateDeploymentJobStatus(ctx, &alicert.UpdateDeploymentJobStatusInput{JobID: jobID, Status: alicert.JobPending}); err != nil {
		log.Fatal(err)
	}
	job, err := client.CAS.DescribeDeploymentJob(ctx, &alicert.DescribeDeploymentJobInput{JobID: jobID})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(job.Status)
	// Output: pending
}

func ExampleCASService_DescribeDeploymentJob() {
	client, srv := newDeployExample()
	defer srv.Close()
	ctx := context.Background()
	jobID := newExampleJob(ctx, client)
	job, err := client.CAS.DescribeDeploymentJob(ctx, &alicert.DescribeDeploymentJobInput{JobID: jobID})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(job.Name, job.Status, job.ProductName, job.CasContacts[0].Name)
	// Output: renew-www editing CDN Ops
}

func ExampleCASService_ListWorkerResource() {
	client, srv := newDeployExample()
	defer srv.Close()
	ctx := context.Background()
	jobID := newExampleJob(ctx, client)
	out, err := client.CAS.ListWorkerResource(ctx, &alicert.ListWorkerResourceInput{JobID: jobID})
	if err != nil {
		log.Fatal(err)
	}
	w := out.Data[0]
	fmt.Println(w.ResourceDomain, w.Status, "serves", w.ResourceCertID, "gets", w.CertID)
	// Output: www.example.com editing serves 1001 gets 2002
}

func ExampleCASService_UpdateWorkerResourceStatus() {
	client, srv := newDeployExample()
	defer srv.Close()
	ctx := context.Background()
	out, err := client.CAS.Deploy(ctx, &alicert.DeployInput{CertID: 2002, ResourceIDs: []int64{1}, PollInterval: time.Millisecond})
	if err != nil {
		log.Fatal(err)
	}
	// Put the previous certificate back on the CDN domain.
	w := out.Workers[0]
	_, err = client.CAS.UpdateWorkerResourceStatus(ctx, &alicert.UpdateWorkerResourceStatusInput{JobID: out.JobID, WorkerID: w.ID, Status: alicert.WorkerRollback})
	if err != nil {
		log.Fatal(err)
	}
	for range 2 { // the rollback ends on the next read
		ws, err := client.CAS.ListWorkerResource(ctx, &alicert.ListWorkerResourceInput{JobID: out.JobID})
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(ws.Data[0].Status)
	}
	fmt.Println("serves", srv.CloudResources()[0].CertID)
	// Output:
	// rollback
	// rollback_success
	// serves 1001
}

func ExampleCASService_DeleteDeploymentJob() {
	client, srv := newDeployExample()
	defer srv.Close()
	ctx := context.Background()
	jobID := newExampleJob(ctx, client)
	if _, err := client.CAS.DeleteDeploymentJob(ctx, &alicert.DeleteDeploymentJobInput{JobID: jobID}); err != nil {
		log.Fatal(err)
	}
	found, err := client.CAS.FindDeploymentJob(ctx, "renew-www")
	fmt.Println(found, err)
	// Output: <nil> <nil>
}

func ExampleCASService_ListDeploymentJob() {
	client, srv := newDeployExample()
	defer srv.Close()
	ctx := context.Background()
	newExampleJob(ctx, client)
	out, err := client.CAS.ListDeploymentJob(ctx, &alicert.ListDeploymentJobInput{Status: alicert.JobEditing})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(out.Total, out.Data[0].Name)
	// Output: 1 renew-www
}

// Validate checks an input by Obtain's rules without sending anything: a
// program can refuse a bad domain before it prepares anything for the
// order.
func ExampleObtainInput_Validate() {
	in := &alicert.ObtainInput{Domain: "bücher.example.com", Username: "Zhang San", Phone: "13800000000",
		Email: "ops@example.com", DNS: alicert.NewAlidnsProvider(nil)}
	var ve *alicert.ValidationError
	if errors.As(in.Validate(), &ve) {
		for _, f := range ve.Fields {
			fmt.Println(f.Field + ": " + f.Problem)
		}
	}
	// Output:
	// Domain: contains U+00FC, which is not ASCII: an internationalized domain name must be given in its ASCII form; use the punycode form "xn--bcher-kva.example.com"
}

// CoversDomain is the rule Obtain checks an issued certificate by.
func ExampleCoversDomain() {
	leaf := &x509.Certificate{DNSNames: []string{"*.example.com", "example.com"}}
	for _, domain := range []string{"example.com", "www.example.com", "a.b.example.com"} {
		fmt.Println(domain, alicert.CoversDomain(leaf, domain))
	}
	// Output:
	// example.com true
	// www.example.com true
	// a.b.example.com false
}
