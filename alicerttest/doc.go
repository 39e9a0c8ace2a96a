// Package alicerttest provides an in-process fake of the Alibaba Cloud APIs
// alicert calls, in the manner of net/http/httptest: Certificate Management
// Service (CAS, API version 2020-04-07, and its Private CA, API version
// 2020-06-30), KMS (API version 2016-01-20) and Alibaba Cloud DNS (Alidns,
// API version 2015-01-09), for tests and examples that run the real
// alicert.Client.
//
// The fake is strict and stateful, like the service:
//
//   - It accepts only requests signed (RPC signature version 1.0,
//     HMAC-SHA1) with the AccessKey pair from Server.Credentials or one added
//     with Server.AddCredentials, with a Timestamp within 15 minutes of its
//     clock and a SignatureNonce it has not seen before. It answers errors
//     with the service's JSON error document, codes and HTTP statuses
//     (SignatureDoesNotMatch quotes the server's string-to-sign, as the
//     service does), and puts a request id in every JSON answer (body and
//     x-acs-request-id header).
//   - It validates parameters as the API reference describes them and
//     answers MissingParameter or InvalidParameter naming the parameter; for
//     example, a wildcard Domain needs a wildcard ProductCode
//     (geotrust-dv-w-starter or globalsign-dv-w-advanced).
//   - CreateCertificateRequest creates an order that moves domain_verify ->
//     process -> certificate over successive DescribeCertificateState reads
//     (see WithReadsPerState, WithImmediateIssue and WithVerifyFailure) and
//     then returns a real certificate and key from the server's test CA
//     (CACertificate, CAPool). Order and CSR ids are above 2^53, as the
//     service's are.
//   - CreateCsr, GetCsrDetail and KMS CreateCertificate return real CSRs
//     that crypto/x509 parses; KMS UploadCertificate accepts only a
//     certificate for the key of that KMS certificate's CSR (SignCSR plays
//     the CA).
//   - DescribeCertificateState answers as the service may, in one of its
//     documented forms: by default RecordDomain is fully qualified
//     ("_dnsauth.www.example.com") and ValidateType is given in every
//     state; WithRelativeRecordDomain gives RecordDomain relative to the
//     zone ("_dnsauth.www", as in the API reference's example), and
//     WithValidateTypeOnlyWhileVerifying gives ValidateType only in
//     domain_verify. Test a client against each.
//   - The lifecycle follows the CAS 2020-04-07 model texts:
//     RenewCertificateOrderForPackageRequest renews only an order about to
//     expire (ListUserCertificateOrder status WILLEXPIRED: its certificate
//     ends within 30 days of the server's clock, or SetOrderExpiring says
//     so) and makes a new order pending application (status PAYED, state
//     payed), which stays there, since no operation of the models applies
//     for it; CancelCertificateForPackageRequest revokes an issued order's
//     certificate or cancels an order pending application;
//     DeleteUserCertificate deletes an uploaded, expired or revoked
//     certificate; UploadUserCertificate without Cert and Key is the SM
//     form (SignCert, SignPrivateKey, EncryptCert, EncryptPrivateKey, any
//     of them or none).
//   - AddDomainRecord, DescribeSubDomainRecords, DescribeDomainRecords,
//     DescribeDomains and DeleteDomainRecord keep records in hosted zones
//     (WithDNSZones), so that a DNS-01 solver such as lego's Alidns
//     provider works against the fake; with WithDNSCheck a DNS-validated
//     order waits until its TXT record is there (DNSRecords, AddDNSRecord
//     and DeleteDNSRecords look at and change them directly).
//   - The Private CA has real keys. WithPrivateCA seeds a root and a
//     subordinate CA (PrivateCA returns them, and pools for
//     x509.VerifyOptions); CreateRootCACertificate and
//     CreateSubCACertificate make more. The server, client and custom
//     certificates a sub-CA issues from a CSR hold the CSR's key and the
//     names, validity and usages asked, and verify with x509.Verify
//     against the root through the sub-CA. Each takes one of its
//     sub-CA's quota (DescribeCACertificate's CertRemainingCount;
//     SetSubCAQuota); a revoked one has Status REVOKE and is listed by
//     ListRevokeCertificate.
//   - Every response sends every field of its official model, with the
//     model's JSON types.
//   - InjectFault makes chosen requests fail: throttling, 5xx error
//     documents, an HTML page from a "proxy", truncated or oversized bodies,
//     connection resets before or after the server acted, stalls, and
//     refused connections (through Server.Client).
//   - Requests lists what was sent, without signatures or security tokens,
//     and with private keys (an upload's Key, SignPrivateKey,
//     EncryptPrivateKey) replaced by RedactedPrivateKey: under signature V3
//     they travel in the URL.
//   - Snapshot writes the whole state as a versioned JSON document, secrets
//     and private keys included, and WithState (after ParseState) makes a
//     new server carry on from it, in this process or another: alicert
//     fake keeps its state across restarts this way.
//
// It also accepts signature V3 (ACS3-HMAC-SHA256) as the official SDKs send
// it: the parameters in the query (or a form body), the x-acs-* headers all
// signed, and x-acs-content-sha256 matching the body.
//
// Where a model or API reference names no error code for a refusal, the
// fake answers with a code of its own, which a real service may not use:
//
//   - DeleteUserCertificate of a certificate that does not exist (or no
//     longer does): InvalidParameter naming CertId. Its API reference lists
//     only the common errors.
//   - A value a model's text rules out (an upload Name other than up to 63
//     letters, digits and underscores; a tag key or value longer than the
//     action's model allows; an UpdateWorkerResourceStatus Status other
//     than rollback; a ListDeploymentJob JobType other than user, cloud or
//     trustee): InvalidParameter naming the parameter.
//   - A Private CA Identifier or ParentIdentifier that names no CA or
//     certificate of the server, or the wrong kind (a root issuing a
//     certificate, a sub-CA as a sub-CA's parent): InvalidParameter naming
//     it. The 2020-06-30 models document no error codes at all.
//   - A CustomIdentifier (customIdentifier in CreateCustomCertificate)
//     another certificate of the server already has: CustomIdentifierRepeat.
//     The models call it "a unique key" and say no more.
//   - A certificate from a sub-CA with no quota left:
//     QuotaExhausted.Certificate.
//   - Revoking a revoked certificate: IncorrectOrderStatus.
//
// What the fake makes up, where the models say nothing: the error codes of
// refusals no model documents (IncorrectOrderStatus for an order or
// certificate in the wrong state, NameRepeat, NotFound.DeploymentJob,
// OperationDenied.JobStatus, OperationDenied.WorkerStatus,
// CustomIdentifierRepeat and QuotaExhausted.Certificate; test for the
// HTTP status and alicert's helpers rather than these codes); that a
// cancelled order pending application is deleted; that DescribeDomains
// without WithDNSZones lists the zones holding a record; that the
// deployment documents give a certificate the account does not hold the
// validity of one issued when the server started; that an SM upload's
// parameters need only be PEM blocks of their kind; ids and names no
// client relies on (AliyunOrderId, PartnerOrderId, NamespaceId, a job's
// InstanceId, a zone's DomainId and version); and that KMS keys with
// automatic rotation report their schedule but never rotate.
//
// Where the Private CA's models say nothing, the fake chooses: a root
// needs no purchased root CA, and is ECC_256 without Algorithm; a sub-CA
// needs ParentIdentifier, a client certificate Csr and ParentIdentifier,
// and DescribeCACertificate Identifier, though the models do not mark them
// required; every sub-CA starts with a quota of 1000 and a root has none,
// and a revocation gives no quota back; server and client certificates
// have key usage digitalSignature and keyEncipherment (what
// CreateCustomCertificate's description gives for both) and extended key
// usage serverAuth or clientAuth; their names are Domain, or SanType and
// SanValue (types 1, 2, 6 and 7 only: email, DNS, URI, IP), else the
// CSR's, and so are a custom certificate's ApiPassthrough names; the
// validity is the first given of Days, BeforeTime/AfterTime, Months and
// Years, from the time of the call, and never outside the sub-CA's;
// Immediately 0 and AsynchronousFlag true leave the certificate out of the
// answer, but it is issued and listed at once; a custom certificate takes
// extended key usages by their RFC 5280 names (serverAuth, clientAuth,
// codeSigning, emailProtection, timeStamping, OCSPSigning), Criticals
// keyUsage, extendedKeyUsage and subjectAltName, and is listed as a SERVER
// certificate when it has serverAuth, a CLIENT one otherwise; listings go
// oldest first, and ListRevokeCertificate's dates are UTC minutes
// (2021-12-31T00:00Z); no CRL is published (CrlUrl is empty), and
// CertMaxTime, whose unit no model gives, is kept and reported, not
// enforced.
//
// Approximations: SM2 keys (CreateCsr Algorithm SM2, KMS KeySpec EC_SM2,
// Private CA SM2_256) are P-256 keys, because the standard library has no
// SM2; ECC_512 is P-521; and RSA CSRs of one key size from one server
// share one key, as do its RSA root CAs of one size and its RSA sub-CAs of
// one size, because RSA key generation is slow under the race detector.
//
// Waiting is instant when a test says so. alicert's waiting helpers
// (WaitForCertificate, Obtain) pause for real between state reads, about
// 2s, then 4s, 8s, ... up to 30s, which the fake's orders do not need. An
// order from a server made WithImmediateIssue is issued on its first read,
// which WaitForCertificate, and Obtain before it presents a challenge,
// make at once. Anything that takes more than one read (WithReadsPerState,
// WithDNSCheck, WithVerifyFailure, or Obtain after it presented a
// challenge, which pauses before reading again) needs a small fixed
// interval: alicert.WithPollInterval(time.Millisecond) for
// WaitForCertificate, ObtainInput.PollInterval for Obtain. Without it the
// test sleeps seconds for microseconds of work.
//
// A test starts a server, points a client at it, and checks what it did:
//
//	srv := alicerttest.NewServer(alicerttest.WithImmediateIssue())
//	defer srv.Close()
//	client, err := alicert.NewClient(srv.ClientOptions()...)
//	if err != nil {
//		t.Fatal(err)
//	}
//	srv.InjectFault("CreateCertificateRequest", alicerttest.Fault{Kind: alicerttest.FaultThrottle}, 1)
//	_, err = client.CAS.CreateCertificateRequest(ctx, &alicert.CreateCertificateRequestInput{
//		Domain: "www.example.com", ValidateType: alicert.ValidateDNS,
//		Username: "Tom", Phone: "1390000****", Email: "tom@example.com",
//	})
//	// The client retried the throttled request: two requests, one order.
//	if err != nil || srv.RequestCount("CreateCertificateRequest") != 2 || srv.OrderCount() != 1 {
//		t.Errorf("err %v, %d requests, %d orders", err, srv.RequestCount("CreateCertificateRequest"), srv.OrderCount())
//	}
package alicerttest
