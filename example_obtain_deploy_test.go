package alicert_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"fmt"
	"log"
	"time"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/alicerttest"
)

// newRenewExample returns a client for a fake account whose CDN domain
// serves certificate 1001, about to be replaced. The fake account has a
// contact for the deployment job to notify.
func newRenewExample() (*alicert.Client, *alicerttest.Server) {
	return newExampleClient(alicerttest.WithImmediateIssue(),
		alicerttest.WithCloudResource(alicerttest.CloudResource{ID: 1, CloudProduct: "CDN", Domain: "www.example.com", CertID: 1001}))
}

// deployWhereServed deploys certID wherever oldCertID is served.
func deployWhereServed(ctx context.Context, client *alicert.Client, certID, oldCertID int64) *alicert.DeployOutput {
	serving, err := client.CAS.CloudResourcesServing(ctx, oldCertID)
	if err != nil {
		log.Fatal(err)
	}
	var ids []int64
	for _, r := range serving {
		ids = append(ids, r.ID)
	}
	out, err := client.CAS.Deploy(ctx, &alicert.DeployInput{CertID: certID, ResourceIDs: ids,
		PollInterval: time.Millisecond, // real jobs: leave the 30s default
	})
	if err != nil {
		log.Fatal(err)
	}
	return out
}

// Obtain, then Deploy the certificate it returns by its CertID wherever the
// previous one is served. The service made the key, so it can install it.
func ExampleCASService_Obtain_deploy() {
	client, srv := newRenewExample()
	defer srv.Close()
	ctx := context.Background()

	cert, err := client.CAS.Obtain(ctx, &alicert.ObtainInput{
		Domain: "www.example.com", DNS: alicert.NewAlidnsProvider(client),
		Username: exampleContact.user, Phone: exampleContact.phone, Email: exampleContact.email,
	})
	if err != nil {
		log.Fatal(err)
	}
	out := deployWhereServed(ctx, client, cert.CertID, 1001)
	for _, w := range out.Workers {
		fmt.Println(w.CloudProduct, w.ResourceID, w.Status, srv.CloudResources()[0].CertID == cert.CertID)
	}
	// Output: CDN 1 success true
}

// A certificate ordered with a key of one's own (ObtainInput.Key) has no
// key in the service: upload it with its key, then deploy the uploaded
// certificate.
func ExampleCASService_Obtain_deployOwnKey() {
	client, srv := newRenewExample()
	defer srv.Close()
	ctx := context.Background()

	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		log.Fatal(err)
	}
	cert, err := client.CAS.Obtain(ctx, &alicert.ObtainInput{
		Domain: "www.example.com", Key: key, DNS: alicert.NewAlidnsProvider(client),
		Username: exampleContact.user, Phone: exampleContact.phone, Email: exampleContact.email,
	})
	if err != nil {
		log.Fatal(err)
	}
	up, err := client.CAS.UploadObtained(ctx, &alicert.UploadObtainedInput{
		Name:     fmt.Sprintf("www_example_com_%d", cert.OrderID), // unique in the account: look it up before a retry
		Obtained: cert, Key: key,
	})
	if err != nil {
		log.Fatal(err)
	}
	out := deployWhereServed(ctx, client, up.CertID, 1001)
	for _, w := range out.Workers {
		fmt.Println(w.CloudProduct, w.ResourceID, w.Status, srv.CloudResources()[0].CertID == up.CertID)
	}
	// Output: CDN 1 success true
}
