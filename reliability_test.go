package alicert_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	crand "crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/alicerttest"
	"github.com/alicert/alicert/internal/testkit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The tests in this file run the client against the alicerttest fake with
// injected faults, and check the contract's promises where they matter
// most: no duplicate paid orders, no hang, safe concurrent use.

// relAllFaults is every fault the fake can inject.
var relAllFaults = []alicerttest.FaultKind{
	alicerttest.FaultThrottle, alicerttest.FaultInternalError, alicerttest.FaultBadGatewayHTML,
	alicerttest.FaultUnavailable, alicerttest.FaultTruncatedJSON, alicerttest.FaultResetBeforeAct,
	alicerttest.FaultResetAfterAct, alicerttest.FaultSlow, alicerttest.FaultOversizedBody,
	alicerttest.FaultDialError, alicerttest.FaultServerErrorIn200, alicerttest.FaultNonceReplayed,
	alicerttest.FaultTLSHandshake, alicerttest.FaultStreamResetAfterAct,
}

// relAlgorithms are the signature algorithms every cell runs under.
var relAlgorithms = []alicert.SignatureAlgorithm{alicert.SignatureHMACSHA1, alicert.SignatureACS3HMACSHA256}

// relOverTLS are the faults that exist only over HTTPS: their cells run
// against a fake started WithTLS (HTTP/2).
var relOverTLS = map[alicerttest.FaultKind]bool{
	alicerttest.FaultTLSHandshake: true, alicerttest.FaultStreamResetAfterAct: true,
}

// relOp is one operation of the matrix: setup prepares what it needs (an
// order to describe, a CSR to read, a KMS certificate to upload to) without
// faults, and returns the call; created counts what the operation creates
// at the server (nil when it creates nothing to count). Whether the call
// may be repeated is not stated here: the matrix expects what the kind of
// the operation's descriptor (opCreate or not) promises.
type relOp struct {
	action string
	// serverOpts seed what the operation needs that only the fake's
	// options can make (cloud resources, contacts).
	serverOpts []alicerttest.Option
	// pending keeps new orders in domain_verify instead of issuing them
	// at once, for operations on an order still being validated.
	pending bool
	setup   func(t *testing.T, srv *alicerttest.Server, c *alicert.Client) func(ctx context.Context) error
	created func(srv *alicerttest.Server) int
	// repeatGone marks a delete: repeated after an attempt that acted, it
	// finds nothing left to delete, and says so (the record is gone either
	// way; AlidnsProvider.CleanUp counts that as done).
	repeatGone func(err error) bool
}

// relOps has one row per operation; TestEveryOperationIsComplete fails for
// an operation without one.
var relOps = []relOp{
	{
		action: "CreateCertificateRequest",
		setup: func(t *testing.T, _ *alicerttest.Server, c *alicert.Client) func(context.Context) error {
			return func(ctx context.Context) error {
				out, err := c.CAS.CreateCertificateRequest(ctx, cpValidCreate())
				if err == nil && out.OrderID <= 1<<53 {
					return fmt.Errorf("order id %d is not above 2^53", out.OrderID)
				}
				return err
			}
		},
		created: (*alicerttest.Server).OrderCount,
	},
	{
		action: "DescribeCertificateState",
		setup: func(t *testing.T, _ *alicerttest.Server, c *alicert.Client) func(context.Context) error {
			order, err := c.CAS.CreateCertificateRequest(t.Context(), cpValidCreate())
			require.NoError(t, err)
			return func(ctx context.Context) error {
				out, err := c.CAS.DescribeCertificateState(ctx, &alicert.DescribeCertificateStateInput{OrderID: order.OrderID})
				if err == nil && out.State == "" {
					return errors.New("no state")
				}
				return err
			}
		},
	},
	{
		action: "CreateCsr",
		setup: func(t *testing.T, _ *alicerttest.Server, c *alicert.Client) func(context.Context) error {
			return func(ctx context.Context) error {
				_, err := c.CAS.CreateCsr(ctx, relCsrInput())
				return err
			}
		},
		created: (*alicerttest.Server).CsrCount,
	},
	{
		action: "GetCsrDetail",
		setup: func(t *testing.T, _ *alicerttest.Server, c *alicert.Client) func(context.Context) error {
			csr, err := c.CAS.CreateCsr(t.Context(), relCsrInput())
			require.NoError(t, err)
			return func(ctx context.Context) error {
				out, err := c.CAS.GetCsrDetail(ctx, &alicert.GetCsrDetailInput{CsrID: csr.CsrID})
				if err == nil && out.PrivateKey == "" {
					return errors.New("no key")
				}
				return err
			}
		},
	},
	{
		action: "CreateCertificate",
		setup: func(t *testing.T, _ *alicerttest.Server, c *alicert.Client) func(context.Context) error {
			return func(ctx context.Context) error {
				_, err := c.KMS.CreateCertificate(ctx, relKMSInput())
				return err
			}
		},
		created: (*alicerttest.Server).KMSCertificateCount,
	},
	{
		action: "UploadCertificate",
		setup: func(t *testing.T, srv *alicerttest.Server, c *alicert.Client) func(context.Context) error {
			kc, err := c.KMS.CreateCertificate(t.Context(), relKMSInput())
			require.NoError(t, err)
			cert, err := srv.SignCSR(kc.Csr, 0)
			require.NoError(t, err)
			return func(ctx context.Context) error {
				_, err := c.KMS.UploadCertificate(ctx, &alicert.UploadCertificateInput{CertificateID: kc.CertificateID, Certificate: cert})
				return err
			}
		},
		created: func(srv *alicerttest.Server) int {
			n := 0
			for _, r := range srv.Requests() {
				if r.Action == "UploadCertificate" {
					if _, _, ok := srv.UploadedCertificate(r.Params.Get("CertificateId")); ok {
						n = 1
					}
				}
			}
			return n
		},
	}, {
		action: "AddDomainRecord",
		setup: func(t *testing.T, _ *alicerttest.Server, c *alicert.Client) func(context.Context) error {
			return func(ctx context.Context) error {
				_, err := c.DNS.AddDomainRecord(ctx, &alicert.AddDomainRecordInput{DomainName: "example.com", RR: "_dnsauth", Type: "TXT", Value: "v"})
				return err
			}
		},
		created: func(srv *alicerttest.Server) int { return len(srv.DNSRecords()) },
	},
	{
		action: "DescribeSubDomainRecords",
		setup: func(t *testing.T, _ *alicerttest.Server, c *alicert.Client) func(context.Context) error {
			return func(ctx context.Context) error {
				_, err := c.DNS.DescribeSubDomainRecords(ctx, &alicert.DescribeSubDomainRecordsInput{SubDomain: "_dnsauth.example.com"})
				return err
			}
		},
	},
	{
		action: "DeleteDomainRecord",
		setup: func(t *testing.T, srv *alicerttest.Server, c *alicert.Client) func(context.Context) error {
			id, err := srv.AddDNSRecord("_dnsauth.example.com", "TXT", "v")
			require.NoError(t, err)
			return func(ctx context.Context) error {
				_, err := c.DNS.DeleteDomainRecord(ctx, &alicert.DeleteDomainRecordInput{RecordID: id})
				return err
			}
		},
		repeatGone: alicert.IsDNSRecordNotFound,
	},
	{
		action: "CreateKey",
		setup: func(t *testing.T, _ *alicerttest.Server, c *alicert.Client) func(context.Context) error {
			return func(ctx context.Context) error {
				_, err := c.KMS.CreateKey(ctx, relKeyInput())
				return err
			}
		},
		created: (*alicerttest.Server).KMSKeyCount,
	},
	{
		action: "GetPublicKey",
		setup: func(t *testing.T, _ *alicerttest.Server, c *alicert.Client) func(context.Context) error {
			key := relKey(t, c)
			return func(ctx context.Context) error {
				_, err := c.KMS.GetPublicKey(ctx, &alicert.GetPublicKeyInput{KeyID: key.KeyID, KeyVersionID: key.PrimaryKeyVersion})
				return err
			}
		},
	},
	{
		action: "AsymmetricSign",
		setup: func(t *testing.T, _ *alicerttest.Server, c *alicert.Client) func(context.Context) error {
			key := relKey(t, c)
			digest := sha256.Sum256([]byte("matrix"))
			return func(ctx context.Context) error {
				_, err := c.KMS.AsymmetricSign(ctx, &alicert.AsymmetricSignInput{KeyID: key.KeyID, KeyVersionID: key.PrimaryKeyVersion,
					Algorithm: alicert.AlgorithmECDSASHA256, Digest: digest[:]})
				return err
			}
		},
	},
	{
		action: "ListKeyVersions",
		setup: func(t *testing.T, _ *alicerttest.Server, c *alicert.Client) func(context.Context) error {
			key := relKey(t, c)
			return func(ctx context.Context) error {
				_, err := c.KMS.ListKeyVersions(ctx, &alicert.ListKeyVersionsInput{KeyID: key.KeyID})
				return err
			}
		},
	},
	{
		action: "CreateDeploymentJob", serverOpts: relDeployOpts(),
		setup: func(t *testing.T, _ *alicerttest.Server, c *alicert.Client) func(context.Context) error {
			return func(ctx context.Context) error {
				out, err := c.CAS.CreateDeploymentJob(ctx, relJobInput())
				if err == nil && out.JobID <= 0 {
					return fmt.Errorf("job id %d", out.JobID)
				}
				return err
			}
		},
		created: (*alicerttest.Server).DeploymentJobCount,
	},
	{
		action: "ListCloudResources", serverOpts: relDeployOpts(),
		setup: func(t *testing.T, _ *alicerttest.Server, c *alicert.Client) func(context.Context) error {
			return func(ctx context.Context) error {
				out, err := c.CAS.ListCloudResources(ctx, &alicert.ListCloudResourcesInput{CloudProduct: "CDN"})
				if err == nil && (len(out.Data) != 1 || out.Data[0].ID != relResourceID) {
					return fmt.Errorf("resources %+v", out.Data)
				}
				return err
			}
		},
	},
	{
		action: "ListContact", serverOpts: relDeployOpts(),
		setup: func(t *testing.T, _ *alicerttest.Server, c *alicert.Client) func(context.Context) error {
			return func(ctx context.Context) error {
				out, err := c.CAS.ListContact(ctx, &alicert.ListContactInput{})
				if err == nil && (len(out.ContactList) != 1 || out.ContactList[0].ContactID != relContactID) {
					return fmt.Errorf("contacts %+v", out.ContactList)
				}
				return err
			}
		},
	},
	{
		// Repeated after an attempt that acted, it sets the status the job
		// has now, which changes nothing and is accepted.
		action: "UpdateDeploymentJobStatus", serverOpts: relDeployOpts(),
		setup: func(t *testing.T, _ *alicerttest.Server, c *alicert.Client) func(context.Context) error {
			job := relJob(t, c, false)
			return func(ctx context.Context) error {
				if _, err := c.CAS.UpdateDeploymentJobStatus(ctx, &alicert.UpdateDeploymentJobStatusInput{JobID: job, Status: alicert.JobPending}); err != nil {
					return err
				}
				return relJobStatus(ctx, c, job, alicert.JobPending)
			}
		},
	},
	{
		action: "DescribeDeploymentJob", serverOpts: relDeployOpts(),
		setup: func(t *testing.T, _ *alicerttest.Server, c *alicert.Client) func(context.Context) error {
			job := relJob(t, c, false)
			return func(ctx context.Context) error { return relJobStatus(ctx, c, job, alicert.JobEditing) }
		},
	},
	{
		action: "ListWorkerResource", serverOpts: relDeployOpts(),
		setup: func(t *testing.T, _ *alicerttest.Server, c *alicert.Client) func(context.Context) error {
			job := relJob(t, c, true)
			return func(ctx context.Context) error {
				_, err := relWorker(ctx, c, job, string(alicert.JobSuccess))
				return err
			}
		},
	},
	{
		// Repeated after an attempt that acted, it asks for the rollback
		// under way, which is accepted.
		action: "UpdateWorkerResourceStatus", serverOpts: relDeployOpts(),
		setup: func(t *testing.T, _ *alicerttest.Server, c *alicert.Client) func(context.Context) error {
			job := relJob(t, c, true)
			worker, err := relWorker(t.Context(), c, job, string(alicert.JobSuccess))
			require.NoError(t, err)
			return func(ctx context.Context) error {
				if _, err := c.CAS.UpdateWorkerResourceStatus(ctx, &alicert.UpdateWorkerResourceStatusInput{JobID: job, WorkerID: worker, Status: alicert.WorkerRollback}); err != nil {
					return err
				}
				_, err := relWorker(ctx, c, job, alicert.WorkerRollback)
				return err
			}
		},
	},
	{
		// Repeated after an attempt that acted, it deletes a job marked
		// deleted already, which is accepted: the job stays, marked (Del).
		action: "DeleteDeploymentJob", serverOpts: relDeployOpts(),
		setup: func(t *testing.T, _ *alicerttest.Server, c *alicert.Client) func(context.Context) error {
			job := relJob(t, c, false)
			return func(ctx context.Context) error {
				if _, err := c.CAS.DeleteDeploymentJob(ctx, &alicert.DeleteDeploymentJobInput{JobID: job}); err != nil {
					return err
				}
				out, err := c.CAS.DescribeDeploymentJob(ctx, &alicert.DescribeDeploymentJobInput{JobID: job})
				if err == nil && !out.Deleted {
					return fmt.Errorf("job %d is not deleted", job)
				}
				return err
			}
		},
	},
	{
		action: "ListDeploymentJob", serverOpts: relDeployOpts(),
		setup: func(t *testing.T, _ *alicerttest.Server, c *alicert.Client) func(context.Context) error {
			job := relJob(t, c, false)
			return func(ctx context.Context) error {
				out, err := c.CAS.ListDeploymentJob(ctx, &alicert.ListDeploymentJobInput{})
				if err == nil && (len(out.Data) != 1 || out.Data[0].ID != job) {
					return fmt.Errorf("jobs %+v", out.Data)
				}
				return err
			}
		},
	},
	{
		action: "CreateCertificateWithCsrRequest",
		setup: func(t *testing.T, _ *alicerttest.Server, c *alicert.Client) func(context.Context) error {
			csr := relCSR(t, "www.example.com")
			return func(ctx context.Context) error {
				_, err := c.CAS.CreateCertificateWithCsrRequest(ctx, &alicert.CreateCertificateWithCsrRequestInput{Csr: csr,
					ValidateType: alicert.ValidateDNS, Username: "Ada Ops", Phone: "13800001234", Email: "ops@example.com"})
				return err
			}
		},
		created: (*alicerttest.Server).OrderCount,
	},
	{
		action: "ListUserCertificateOrder",
		setup: func(t *testing.T, _ *alicerttest.Server, c *alicert.Client) func(context.Context) error {
			relIssued(t, c, "www.example.com")
			return func(ctx context.Context) error {
				out, err := c.CAS.ListUserCertificateOrder(ctx, &alicert.ListUserCertificateOrderInput{OrderType: alicert.OrderTypeCert})
				if err == nil && len(out.CertificateOrderList) == 0 {
					return errors.New("no certificate listed")
				}
				return err
			}
		},
	},
	{
		action: "GetUserCertificateDetail",
		setup: func(t *testing.T, _ *alicerttest.Server, c *alicert.Client) func(context.Context) error {
			_, certID := relIssued(t, c, "www.example.com")
			return func(ctx context.Context) error {
				out, err := c.CAS.GetUserCertificateDetail(ctx, &alicert.GetUserCertificateDetailInput{CertID: certID})
				if err == nil && out.Cert == "" {
					return errors.New("no certificate")
				}
				return err
			}
		},
	},
	{
		action: "UploadUserCertificate",
		setup: func(t *testing.T, srv *alicerttest.Server, c *alicert.Client) func(context.Context) error {
			cert, key := relPair(t, srv)
			return func(ctx context.Context) error {
				_, err := c.CAS.UploadUserCertificate(ctx, &alicert.UploadUserCertificateInput{Name: "matrix_upload", Cert: cert, Key: key})
				return err
			}
		},
		created: (*alicerttest.Server).CertificateCount,
	},
	{
		action: "DeleteUserCertificate",
		setup: func(t *testing.T, srv *alicerttest.Server, c *alicert.Client) func(context.Context) error {
			cert, key := relPair(t, srv)
			up, err := c.CAS.UploadUserCertificate(t.Context(), &alicert.UploadUserCertificateInput{Name: "matrix_delete", Cert: cert, Key: key})
			require.NoError(t, err)
			return func(ctx context.Context) error {
				_, err := c.CAS.DeleteUserCertificate(ctx, &alicert.DeleteUserCertificateInput{CertID: up.CertID})
				return err
			}
		},
	},
	{
		action:     "DeleteCertificateRequest",
		serverOpts: []alicerttest.Option{alicerttest.WithVerifyFailure("fail.example.com")},
		setup: func(t *testing.T, _ *alicerttest.Server, c *alicert.Client) func(context.Context) error {
			orderID, _ := relIssued(t, c, "fail.example.com")
			return func(ctx context.Context) error {
				_, err := c.CAS.DeleteCertificateRequest(ctx, &alicert.DeleteCertificateRequestInput{OrderID: orderID})
				return err
			}
		},
	},
	{
		action: "CancelOrderRequest", pending: true,
		setup: func(t *testing.T, _ *alicerttest.Server, c *alicert.Client) func(context.Context) error {
			orderID, _ := relIssued(t, c, "www.example.com")
			return func(ctx context.Context) error {
				_, err := c.CAS.CancelOrderRequest(ctx, &alicert.CancelOrderRequestInput{OrderID: orderID})
				return err
			}
		},
	},
	{
		action: "CancelCertificateForPackageRequest",
		setup: func(t *testing.T, _ *alicerttest.Server, c *alicert.Client) func(context.Context) error {
			orderID, _ := relIssued(t, c, "www.example.com")
			return func(ctx context.Context) error {
				_, err := c.CAS.CancelCertificateForPackageRequest(ctx, &alicert.CancelCertificateForPackageRequestInput{OrderID: orderID})
				return err
			}
		},
	},
	{
		action: "RenewCertificateOrderForPackageRequest",
		setup: func(t *testing.T, srv *alicerttest.Server, c *alicert.Client) func(context.Context) error {
			orderID, _ := relIssued(t, c, "www.example.com")
			require.NoError(t, srv.SetOrderExpiring(orderID))
			return func(ctx context.Context) error {
				_, err := c.CAS.RenewCertificateOrderForPackageRequest(ctx, &alicert.RenewCertificateOrderForPackageRequestInput{OrderID: orderID})
				return err
			}
		},
		created: (*alicerttest.Server).OrderCount,
	},
	{
		action: "DescribePackageState",
		setup: func(t *testing.T, _ *alicerttest.Server, c *alicert.Client) func(context.Context) error {
			return func(ctx context.Context) error {
				_, err := c.CAS.DescribePackageState(ctx, &alicert.DescribePackageStateInput{})
				return err
			}
		},
	},
	// The Private CA: a fake seeded with a root and a sub-CA.
	{
		action:     "CreateRootCACertificate",
		serverOpts: []alicerttest.Option{alicerttest.WithPrivateCA()},
		setup: func(t *testing.T, _ *alicerttest.Server, c *alicert.Client) func(context.Context) error {
			return func(ctx context.Context) error {
				_, err := c.PCA.CreateRootCACertificate(ctx, &alicert.CreateRootCACertificateInput{CommonName: "Root",
					Organization: "Example", OrganizationUnit: "Security", Locality: "Hangzhou", State: "Zhejiang", Years: 10})
				return err
			}
		},
		created: (*alicerttest.Server).PCACACount,
	},
	{
		action:     "CreateSubCACertificate",
		serverOpts: []alicerttest.Option{alicerttest.WithPrivateCA()},
		setup: func(t *testing.T, srv *alicerttest.Server, c *alicert.Client) func(context.Context) error {
			root := srv.PrivateCA().RootIdentifier
			return func(ctx context.Context) error {
				_, err := c.PCA.CreateSubCACertificate(ctx, &alicert.CreateSubCACertificateInput{ParentIdentifier: root,
					Algorithm: alicert.PCAKeyECC256, CommonName: "Issuing", Organization: "Example", OrganizationUnit: "Security",
					Locality: "Hangzhou", State: "Zhejiang", Years: 5, ClientToken: "sub-1"})
				return err
			}
		},
		created: (*alicerttest.Server).PCACACount,
	},
	{
		action:     "DescribeCACertificate",
		serverOpts: []alicerttest.Option{alicerttest.WithPrivateCA()},
		setup: func(t *testing.T, srv *alicerttest.Server, c *alicert.Client) func(context.Context) error {
			sub := srv.PrivateCA().SubCAIdentifier
			return func(ctx context.Context) error {
				out, err := c.PCA.DescribeCACertificate(ctx, &alicert.DescribeCACertificateInput{Identifier: sub})
				if err == nil && out.Certificate.CertRemainingCount <= 0 {
					return errors.New("no quota")
				}
				return err
			}
		},
	},
	{
		action:     "DescribeCACertificateList",
		serverOpts: []alicerttest.Option{alicerttest.WithPrivateCA()},
		setup: func(t *testing.T, _ *alicerttest.Server, c *alicert.Client) func(context.Context) error {
			return func(ctx context.Context) error {
				out, err := c.PCA.DescribeCACertificateList(ctx, &alicert.DescribeCACertificateListInput{})
				if err == nil && len(out.CertificateList) != 2 {
					return fmt.Errorf("%d CAs", len(out.CertificateList))
				}
				return err
			}
		},
	},
	{
		action:     "CreateServerCertificateWithCsr",
		serverOpts: []alicerttest.Option{alicerttest.WithPrivateCA()},
		setup: func(t *testing.T, srv *alicerttest.Server, c *alicert.Client) func(context.Context) error {
			in := &alicert.CreateServerCertificateWithCsrInput{ParentIdentifier: srv.PrivateCA().SubCAIdentifier,
				Csr: relCSR(t, "svc.internal"), Days: 30, Immediately: alicert.PCAReturnChain}
			return func(ctx context.Context) error {
				_, err := c.PCA.CreateServerCertificateWithCsr(ctx, in)
				return err
			}
		},
		created: (*alicerttest.Server).PCACertificateCount,
	},
	{
		action:     "CreateClientCertificateWithCsr",
		serverOpts: []alicerttest.Option{alicerttest.WithPrivateCA()},
		setup: func(t *testing.T, srv *alicerttest.Server, c *alicert.Client) func(context.Context) error {
			in := &alicert.CreateClientCertificateWithCsrInput{ParentIdentifier: srv.PrivateCA().SubCAIdentifier,
				Csr: relCSR(t, "client.internal"), Days: 30, SANType: alicert.SANDNS, SANValues: []string{"client.internal"}}
			return func(ctx context.Context) error {
				_, err := c.PCA.CreateClientCertificateWithCsr(ctx, in)
				return err
			}
		},
		created: (*alicerttest.Server).PCACertificateCount,
	},
	{
		action:     "CreateCustomCertificate",
		serverOpts: []alicerttest.Option{alicerttest.WithPrivateCA()},
		setup: func(t *testing.T, srv *alicerttest.Server, c *alicert.Client) func(context.Context) error {
			in := relCustomInput(t, srv)
			return func(ctx context.Context) error {
				_, err := c.PCA.CreateCustomCertificate(ctx, in)
				return err
			}
		},
		created: (*alicerttest.Server).PCACertificateCount,
	},
	{
		action:     "DescribeClientCertificate",
		serverOpts: []alicerttest.Option{alicerttest.WithPrivateCA()},
		setup: func(t *testing.T, srv *alicerttest.Server, c *alicert.Client) func(context.Context) error {
			id := relPCACertificate(t, srv, c)
			return func(ctx context.Context) error {
				out, err := c.PCA.DescribeClientCertificate(ctx, &alicert.DescribeClientCertificateInput{Identifier: id})
				if err == nil && out.Certificate.X509Certificate == "" {
					return errors.New("no certificate")
				}
				return err
			}
		},
	},
	{
		action:     "ListClientCertificate",
		serverOpts: []alicerttest.Option{alicerttest.WithPrivateCA()},
		setup: func(t *testing.T, srv *alicerttest.Server, c *alicert.Client) func(context.Context) error {
			relPCACertificate(t, srv, c)
			return func(ctx context.Context) error {
				out, err := c.PCA.ListClientCertificate(ctx, &alicert.ListClientCertificateInput{})
				if err == nil && out.TotalCount != 1 {
					return fmt.Errorf("%d certificates", out.TotalCount)
				}
				return err
			}
		},
	},
	{
		action:     "CreateRevokeClientCertificate",
		serverOpts: []alicerttest.Option{alicerttest.WithPrivateCA()},
		setup: func(t *testing.T, srv *alicerttest.Server, c *alicert.Client) func(context.Context) error {
			id := relPCACertificate(t, srv, c)
			return func(ctx context.Context) error {
				_, err := c.PCA.CreateRevokeClientCertificate(ctx, &alicert.CreateRevokeClientCertificateInput{Identifier: id})
				return err
			}
		},
		created: (*alicerttest.Server).PCARevokedCount,
	},
	{
		action:     "ListRevokeCertificate",
		serverOpts: []alicerttest.Option{alicerttest.WithPrivateCA()},
		setup: func(t *testing.T, srv *alicerttest.Server, c *alicert.Client) func(context.Context) error {
			id := relPCACertificate(t, srv, c)
			_, err := c.PCA.CreateRevokeClientCertificate(t.Context(), &alicert.CreateRevokeClientCertificateInput{Identifier: id})
			require.NoError(t, err)
			return func(ctx context.Context) error {
				out, err := c.PCA.ListRevokeCertificate(ctx, &alicert.ListRevokeCertificateInput{})
				if err == nil && out.TotalCount != 1 {
					return fmt.Errorf("%d revoked", out.TotalCount)
				}
				return err
			}
		},
	},
}

// The cloud resource and contact of the deployment operations: the fake
// numbers them from these ids.
const (
	relResourceID = 2356
	relContactID  = 519580
)

// relDeployOpts seed one CDN domain serving certificate 1001, and a
// contact.
func relDeployOpts() []alicerttest.Option {
	return []alicerttest.Option{
		alicerttest.WithCloudResource(alicerttest.CloudResource{ID: relResourceID, CloudProduct: "CDN", Domain: "www.example.com", CertID: 1001}),
		alicerttest.WithContact("Zhang San", "ops@example.com", "13800000000"),
	}
}

// relJobInput deploys certificate 2002 to the seeded resource.
func relJobInput() *alicert.CreateDeploymentJobInput {
	return &alicert.CreateDeploymentJobInput{Name: "matrix", JobType: alicert.JobTypeUser,
		CertIDs: []int64{2002}, ResourceIDs: []int64{relResourceID}, ContactIDs: []int64{relContactID}}
}

// relJob creates a job, without faults, left in editing or, with run,
// started and read until it ended.
func relJob(t *testing.T, c *alicert.Client, run bool) int64 {
	t.Helper()
	out, err := c.CAS.CreateDeploymentJob(t.Context(), relJobInput())
	require.NoError(t, err)
	if !run {
		return out.JobID
	}
	_, err = c.CAS.UpdateDeploymentJobStatus(t.Context(), &alicert.UpdateDeploymentJobStatusInput{JobID: out.JobID, Status: alicert.JobPending})
	require.NoError(t, err)
	for range 10 {
		job, err := c.CAS.DescribeDeploymentJob(t.Context(), &alicert.DescribeDeploymentJobInput{JobID: out.JobID})
		require.NoError(t, err)
		if job.Status == string(alicert.JobSuccess) {
			return out.JobID
		}
	}
	t.Fatalf("job %d did not end", out.JobID)
	return 0
}

// relJobStatus reads the job and wants it in status.
func relJobStatus(ctx context.Context, c *alicert.Client, job int64, status alicert.DeploymentJobStatus) error {
	out, err := c.CAS.DescribeDeploymentJob(ctx, &alicert.DescribeDeploymentJobInput{JobID: job})
	if err == nil && out.Status != string(status) {
		return fmt.Errorf("job %d is %s, not %s", job, out.Status, status)
	}
	return err
}

// relWorker lists the job's one worker, wants it in status and returns its
// id.
func relWorker(ctx context.Context, c *alicert.Client, job int64, status string) (int64, error) {
	out, err := c.CAS.ListWorkerResource(ctx, &alicert.ListWorkerResourceInput{JobID: job})
	switch {
	case err != nil:
		return 0, err
	case len(out.Data) != 1 || out.Data[0].ResourceID != relResourceID:
		return 0, fmt.Errorf("workers %+v", out.Data)
	case out.Data[0].Status != status:
		return 0, fmt.Errorf("worker %d is %s, not %s", out.Data[0].ID, out.Data[0].Status, status)
	}
	return out.Data[0].ID, nil
}

// relIssued orders a certificate for domain, without faults, and reads its
// state once: on a fake WithImmediateIssue the order is then issued (or
// failed, for a domain seeded WithVerifyFailure); without it, it waits in
// domain_verify. It returns the order id and, once issued, the certificate
// id.
func relIssued(t *testing.T, c *alicert.Client, domain string) (orderID, certID int64) {
	in := cpValidCreate()
	in.Domain = domain
	order, err := c.CAS.CreateCertificateRequest(t.Context(), in)
	require.NoError(t, err)
	st, err := c.CAS.DescribeCertificateState(t.Context(), &alicert.DescribeCertificateStateInput{OrderID: order.OrderID})
	require.NoError(t, err)
	if st.CertID != "" {
		certID, err = strconv.ParseInt(st.CertID, 10, 64)
		require.NoError(t, err)
	}
	return order.OrderID, certID
}

// relCSR is an ECDSA P-256 CSR for domain.
func relCSR(t *testing.T, domain string) string {
	key, err := ecdsa.GenerateKey(elliptic.P256(), crand.Reader)
	require.NoError(t, err)
	der, err := x509.CreateCertificateRequest(crand.Reader, &x509.CertificateRequest{
		Subject: pkix.Name{CommonName: domain}, DNSNames: []string{domain}}, key)
	require.NoError(t, err)
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}))
}

// relPair is a certificate for www.example.com from the fake's CA and its
// key, to upload.
func relPair(t *testing.T, srv *alicerttest.Server) (certPEM, keyPEM string) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), crand.Reader)
	require.NoError(t, err)
	der, err := x509.CreateCertificateRequest(crand.Reader, &x509.CertificateRequest{
		Subject: pkix.Name{CommonName: "www.example.com"}, DNSNames: []string{"www.example.com"}}, key)
	require.NoError(t, err)
	cert, err := srv.SignCSR(string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})), 0)
	require.NoError(t, err)
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	require.NoError(t, err)
	return cert, string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}))
}

// relCustomInput asks the fake's sub-CA for a custom server certificate.
func relCustomInput(t *testing.T, srv *alicerttest.Server) *alicert.CreateCustomCertificateInput {
	return &alicert.CreateCustomCertificateInput{ParentIdentifier: srv.PrivateCA().SubCAIdentifier,
		Csr: relCSR(t, "custom.internal"), Validity: "30d", Immediately: alicert.PCAReturnChain,
		APIPassthrough: &alicert.CustomCertificatePassthrough{Extensions: &alicert.CustomCertificateExtensions{
			ExtendedKeyUsages: []string{"serverAuth"}}}}
}

// relPCACertificate has the fake's sub-CA issue a certificate, without
// faults, for the reads and the revoke of the matrix, and returns its
// identifier.
func relPCACertificate(t *testing.T, srv *alicerttest.Server, c *alicert.Client) string {
	out, err := c.PCA.CreateCustomCertificate(t.Context(), relCustomInput(t, srv))
	require.NoError(t, err)
	return out.Identifier
}

// relKeyInput asks for an EC P-256 signing key.
func relKeyInput() *alicert.CreateKeyInput {
	return &alicert.CreateKeyInput{KeySpec: "EC_P256", KeyUsage: alicert.KeyUsageSignVerify}
}

// relKey creates a signing key, without faults, for the reads of the matrix.
func relKey(t *testing.T, c *alicert.Client) alicert.KeyMetadata {
	out, err := c.KMS.CreateKey(t.Context(), relKeyInput())
	require.NoError(t, err)
	return out.KeyMetadata
}

func relCsrInput() *alicert.CreateCsrInput {
	return &alicert.CreateCsrInput{Algorithm: alicert.AlgorithmECC, KeySize: 256, CommonName: "www.example.com",
		CountryCode: "CN", Province: "Zhejiang", Locality: "Hangzhou", SANs: []string{"example.com"}}
}

func relKMSInput() *alicert.CreateCertificateInput {
	return &alicert.CreateCertificateInput{KeySpec: alicert.KeySpecECP256,
		Subject:                 alicert.Subject{CommonName: "www.example.com", Country: "CN", Organization: "Example", OrganizationalUnit: "IT"},
		SubjectAlternativeNames: []string{"www.example.com"}}
}

// relWant is the contract's outcome for one cell, with the fault injected
// once and three attempts allowed.
type relWant struct {
	ok        bool
	attempts  int  // requests for the action the server saw (dial failures included)
	unknown   bool // errors.Is(err, ErrOutcomeUnknown)
	apiStatus int  // the *APIError's status, 0 when there is none
	created   int  // what the call created at the server
}

// relExpect states the retry rules (call_retry.go) for one fault and kind of
// operation.
func relExpect(kind alicerttest.FaultKind, create bool) relWant {
	switch kind {
	case alicerttest.FaultThrottle, alicerttest.FaultDialError, alicerttest.FaultTLSHandshake:
		// Provably not processed: retried for every operation.
		return relWant{ok: true, attempts: 2, created: 1}
	case alicerttest.FaultServerErrorIn200, alicerttest.FaultNonceReplayed:
		// The service acted, then answered with an error document: a read
		// tries again; a create's outcome is unknown (its order exists).
		if create {
			status := map[alicerttest.FaultKind]int{alicerttest.FaultServerErrorIn200: 200, alicerttest.FaultNonceReplayed: 400}[kind]
			return relWant{attempts: 1, unknown: true, apiStatus: status, created: 1}
		}
		return relWant{ok: true, attempts: 2}
	case alicerttest.FaultStreamResetAfterAct:
		if create {
			return relWant{attempts: 1, unknown: true, created: 1}
		}
		return relWant{ok: true, attempts: 2}
	case alicerttest.FaultInternalError, alicerttest.FaultBadGatewayHTML, alicerttest.FaultUnavailable:
		status := map[alicerttest.FaultKind]int{alicerttest.FaultInternalError: 500, alicerttest.FaultBadGatewayHTML: 502, alicerttest.FaultUnavailable: 503}[kind]
		if create {
			return relWant{attempts: 1, unknown: true, apiStatus: status}
		}
		return relWant{ok: true, attempts: 2}
	case alicerttest.FaultResetBeforeAct:
		if create {
			return relWant{attempts: 1, unknown: true}
		}
		return relWant{ok: true, attempts: 2}
	case alicerttest.FaultResetAfterAct:
		if create {
			return relWant{attempts: 1, unknown: true, created: 1}
		}
		return relWant{ok: true, attempts: 2}
	case alicerttest.FaultTruncatedJSON:
		// A body cut short: a read tries again; a create's order exists.
		if create {
			return relWant{attempts: 1, unknown: true, created: 1}
		}
		return relWant{ok: true, attempts: 2}
	case alicerttest.FaultOversizedBody:
		// A complete 2xx response whose body is unusable: the same body
		// would come back, so it is not retried; a create's order exists.
		return relWant{attempts: 1, unknown: create, created: 1}
	}
	panic(kind.String())
}

func TestReliabilityFaultMatrix(t *testing.T) {
	t.Parallel()
	descriptors := completenessDescriptors(t)
	var cells, passed atomic.Int32
	t.Run("cells", func(t *testing.T) {
		for _, alg := range relAlgorithms {
			for _, op := range relOps {
				d, ok := descriptors[op.action]
				if !ok {
					t.Fatalf("relOps: no operation descriptor sends %s", op.action)
				}
				for _, kind := range relAllFaults {
					cells.Add(1)
					t.Run(alg.String()+"/"+op.action+"/"+kind.String(), func(t *testing.T) {
						t.Parallel()
						srvOpts := op.serverOpts[:len(op.serverOpts):len(op.serverOpts)]
						if !op.pending {
							srvOpts = append(srvOpts, alicerttest.WithImmediateIssue())
						}
						if relOverTLS[kind] {
							srvOpts = append(srvOpts, alicerttest.WithTLS())
						}
						srv := alicerttest.NewServer(append(srvOpts, alicerttest.WithDNSZones("example.com"))...)
						t.Cleanup(srv.Close)
						c := fakeClientOf(t, srv, alicert.WithSignatureAlgorithm(alg))
						call := op.setup(t, srv, c)
						createdBefore := 0
						if op.created != nil {
							createdBefore = op.created(srv)
						}
						if kind == alicerttest.FaultSlow {
							relSlowCell(t, srv, op, d.create(), call, createdBefore)
						} else {
							relCell(t, srv, op, d.create(), kind, call, createdBefore)
						}
						if !t.Failed() {
							passed.Add(1)
						}
					})
				}
			}
		}
	})
	t.Logf("fault matrix: %d of %d cells pass (%d signature algorithms x %d operations x %d faults)",
		passed.Load(), cells.Load(), len(relAlgorithms), len(relOps), len(relAllFaults))
	assert.Equal(t, len(relAlgorithms)*len(relOps)*len(relAllFaults), int(cells.Load()))
	assert.Equal(t, cells.Load(), passed.Load())
}

func relCell(t *testing.T, srv *alicerttest.Server, op relOp, create bool, kind alicerttest.FaultKind, call func(context.Context) error, createdBefore int) {
	want := relExpect(kind, create)
	if op.repeatGone != nil && want.ok && want.attempts == 2 && relActingFaults[kind] {
		want = relWant{attempts: 2, apiStatus: -1} // the repeat finds the record gone
	}
	srv.InjectFault(op.action, alicerttest.Fault{Kind: kind}, 1)

	err := call(t.Context())

	if want.ok {
		require.NoError(t, err)
	} else {
		require.Error(t, err)
		assert.Contains(t, err.Error(), op.action, "the error names the operation")
	}
	assert.Equal(t, want.attempts, srv.RequestCount(op.action), "attempts seen by the server")
	assert.Equal(t, want.unknown, errors.Is(err, alicert.ErrOutcomeUnknown), "ErrOutcomeUnknown: %v", err)
	var apiErr *alicert.APIError
	if want.apiStatus == -1 {
		assert.True(t, op.repeatGone(err), "the repeated delete reports the record gone: %v", err)
	} else if want.apiStatus != 0 {
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, want.apiStatus, apiErr.StatusCode)
	} else if err != nil {
		assert.False(t, errors.As(err, &apiErr), "no APIError expected: %v", err)
	}
	if op.created != nil {
		assert.Equal(t, want.created, op.created(srv)-createdBefore, "created at the server")
	}
	// Every fault leaves the request id in the error when the fake sent one.
	if err != nil && kind != alicerttest.FaultBadGatewayHTML && kind != alicerttest.FaultResetAfterAct &&
		kind != alicerttest.FaultResetBeforeAct && kind != alicerttest.FaultStreamResetAfterAct {
		assert.Regexp(t, `request id [0-9A-F-]{8,}`, err.Error())
	}
	cpRequireCleanErr(t, err)
}

// relSlowCell: the response stalls past ctx's deadline. The call ends with
// ctx's error, is never retried, and the fake drops the stalled request
// unprocessed. Whether the request reached the fake before the deadline
// depends on the machine's speed, so the checks hold either way.
func relSlowCell(t *testing.T, srv *alicerttest.Server, op relOp, create bool, call func(context.Context) error, createdBefore int) {
	srv.InjectFault(op.action, alicerttest.Fault{Kind: alicerttest.FaultSlow, Delay: time.Minute}, 1)
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()

	err := call(ctx)

	require.Error(t, err)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	attempts := srv.RequestCount(op.action)
	assert.LessOrEqual(t, attempts, 1, "not retried past the deadline")
	if create && attempts == 1 {
		assert.ErrorIs(t, err, alicert.ErrOutcomeUnknown, "the request was sent, so the outcome is unknown")
	}
	if op.created != nil {
		assert.Equal(t, 0, op.created(srv)-createdBefore)
	}
	cpRequireCleanErr(t, err)
}

// relActingFaults are the faults after which the fake has processed the
// request (FaultSlow too, when no deadline cuts it short).
var relActingFaults = map[alicerttest.FaultKind]bool{
	0: true, alicerttest.FaultTruncatedJSON: true, alicerttest.FaultResetAfterAct: true,
	alicerttest.FaultOversizedBody: true, alicerttest.FaultSlow: true,
	alicerttest.FaultServerErrorIn200: true, alicerttest.FaultNonceReplayed: true,
	alicerttest.FaultStreamResetAfterAct: true,
}

func TestReliabilityNoDuplicateOrders(t *testing.T) {
	t.Parallel()
	const calls = 1000
	seed := uint64(20261123)
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	// Over HTTPS and HTTP/2, so that every fault kind can be drawn.
	c, srv := setupFake(t, alicerttest.WithDNSZones("example.com"), alicerttest.WithTLS(), alicerttest.WithImmediateIssue())

	type outcome int
	const (
		success outcome = iota
		unknown
		definite
	)
	// Every kind three times over, except the oversized body, whose 2 MiB
	// answers are slow under the race detector (the matrix covers it).
	var draw []alicerttest.FaultKind
	for _, kind := range relAllFaults {
		draw = append(draw, kind)
		if kind != alicerttest.FaultOversizedBody {
			draw = append(draw, kind, kind)
		}
	}
	results := make([]outcome, calls)
	var faultsInjected int
	for i := range calls {
		// 40% of calls see no fault; the others up to three of a random
		// kind, enough to exhaust the retries of throttling and dial errors.
		if rng.IntN(10) >= 4 {
			kind := draw[rng.IntN(len(draw))]
			f := alicerttest.Fault{Kind: kind}
			if kind == alicerttest.FaultSlow {
				f.Delay = time.Duration(1+rng.IntN(3)) * time.Millisecond
			}
			srv.InjectFault("CreateCertificateRequest", f, 1+rng.IntN(3))
			faultsInjected++
		}
		in := cpValidCreate()
		in.Domain = fmt.Sprintf("n%d.example.com", i)
		_, err := c.CAS.CreateCertificateRequest(t.Context(), in)
		switch {
		case err == nil:
			results[i] = success
		case errors.Is(err, alicert.ErrOutcomeUnknown):
			results[i] = unknown
		default:
			results[i] = definite
		}
		cpRequireCleanErr(t, err)
		srv.ClearFaults() // what a call left unused must not spill into the next
	}

	// Orders per call, from what the fake processed.
	perDomain := map[string]int{}
	for _, r := range srv.Requests() {
		if r.Action == "CreateCertificateRequest" && relActingFaults[r.Fault] {
			perDomain[r.Params.Get("Domain")]++
		}
	}
	var successes, unknowns, definites, unknownActed, duplicates, forgotten int
	for i, res := range results {
		n := perDomain[fmt.Sprintf("n%d.example.com", i)]
		if n > 1 {
			duplicates++
		}
		switch res {
		case success:
			successes++
			assert.Equal(t, 1, n, "call %d succeeded", i)
		case unknown:
			unknowns++
			unknownActed += n
		case definite:
			definites++
			forgotten += n // an order the caller was told does not exist
			assert.Equal(t, 0, n, "call %d failed definitely", i)
		}
	}
	orders := srv.OrderCount()
	total := 0
	for _, n := range perDomain {
		total += n
	}
	t.Logf("seed %d: %d calls, %d with faults: %d successes, %d unknown outcomes (%d of them acted), %d definite failures; %d orders; %d duplicates; %d forgotten",
		seed, calls, faultsInjected, successes, unknowns, unknownActed, definites, orders, duplicates, forgotten)

	assert.Equal(t, 0, duplicates, "no call may create two orders")
	assert.Equal(t, 0, forgotten, "every order is returned or reported as an unknown outcome")
	assert.Equal(t, total, orders, "the requests the fake processed are its orders")
	assert.Equal(t, successes+unknownActed, orders)
	assert.LessOrEqual(t, orders, successes+unknowns)
	assert.GreaterOrEqual(t, orders, successes)
	// The draw must exercise every outcome, or the test proves little.
	assert.Positive(t, successes)
	assert.Positive(t, unknowns)
	assert.Positive(t, definites)
	assert.Positive(t, unknownActed)
}

func TestReliabilityConcurrentCallsShareOneClient(t *testing.T) {
	t.Parallel()
	const goroutines = 200
	srv := alicerttest.NewServer(alicerttest.WithImmediateIssue())
	t.Cleanup(srv.Close)
	id, secret := srv.Credentials()
	p := &testkit.CountingProvider{ID: id, Secret: secret}
	// The provider replaces the fake's static pair: the last credentials
	// option wins.
	c, err := alicert.NewClient(append(srv.ClientOptions(), alicert.WithCredentials(p), cpFastRetries,
		// One call may meet every injected fault of its action in a row.
		alicert.WithMaxAttempts(64))...)
	require.NoError(t, err)
	// Some retries in the mix, taken by whichever calls come first.
	srv.InjectFault("CreateCertificateRequest", alicerttest.Fault{Kind: alicerttest.FaultThrottle}, 20)
	srv.InjectFault("DescribeCertificateState", alicerttest.Fault{Kind: alicerttest.FaultUnavailable}, 20)
	srv.InjectFault("DescribeCertificateState", alicerttest.Fault{Kind: alicerttest.FaultDialError}, 10)

	var wg sync.WaitGroup
	errs := make([]error, goroutines)
	orderIDs := make([]int64, goroutines)
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in := cpValidCreate()
			in.Domain = fmt.Sprintf("g%d.example.com", g)
			order, err := c.CAS.CreateCertificateRequest(t.Context(), in)
			if err != nil {
				errs[g] = err
				return
			}
			orderIDs[g] = order.OrderID
			state, err := c.CAS.DescribeCertificateState(t.Context(), &alicert.DescribeCertificateStateInput{OrderID: order.OrderID})
			if err == nil && state.State != alicert.StateCertificate {
				err = fmt.Errorf("order %d: state %q", order.OrderID, state.State)
			}
			errs[g] = err
		}()
	}
	wg.Wait()

	for g, err := range errs {
		require.NoError(t, err, "goroutine %d", g)
	}
	seen := map[int64]bool{}
	for _, id := range orderIDs {
		assert.False(t, seen[id], "order id %d handed out twice", id)
		seen[id] = true
	}
	assert.Equal(t, goroutines, srv.OrderCount())

	reqs := srv.Requests()
	nonces := map[string]int{}
	for _, r := range reqs {
		nonces[r.Params.Get("SignatureNonce")]++
	}
	assert.Len(t, nonces, len(reqs), "every attempt has its own nonce")
	assert.Equal(t, 2*goroutines+20+20+10, len(reqs), "two calls per goroutine plus one retry per injected fault")
	assert.Equal(t, int64(len(reqs)), p.Calls(), "the provider is asked once per attempt")
	assert.Zero(t, p.Overlaps(), "calls to the provider are serialised")
}
