package alicerttest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/alicerttest"
)

// TestSnapshotCarriesTheFakeOver: a server made WithState from another's
// Snapshot accepts the same key, serves the same orders, certificates,
// KMS keys, records and resources, and gives new ids after the old ones.
func TestSnapshotCarriesTheFakeOver(t *testing.T) {
	ctx := context.Background()
	first := newServer(t, alicerttest.WithImmediateIssue(), alicerttest.WithDNSZones("example.com"),
		alicerttest.WithCloudResource(alicerttest.CloudResource{CloudProduct: "CDN", Domain: "www.example.com", CertID: 1001}))
	cl := newClient(t, first)
	order, err := cl.CAS.CreateCertificateRequest(ctx, &alicert.CreateCertificateRequestInput{Domain: "www.example.com",
		ValidateType: alicert.ValidateDNS, Username: "A", Phone: "13800000000", Email: "a@example.com"})
	require.NoError(t, err)
	issued, err := cl.CAS.DescribeCertificateState(ctx, &alicert.DescribeCertificateStateInput{OrderID: order.OrderID})
	require.NoError(t, err)
	require.NotEmpty(t, issued.Certificate)
	key, err := cl.KMS.CreateKey(ctx, &alicert.CreateKeyInput{KeySpec: "EC_P256", KeyUsage: alicert.KeyUsageSignVerify})
	require.NoError(t, err)
	pub, err := cl.KMS.GetPublicKey(ctx, &alicert.GetPublicKeyInput{KeyID: key.KeyMetadata.KeyID, KeyVersionID: key.KeyMetadata.PrimaryKeyVersion})
	require.NoError(t, err)
	_, err = first.AddDNSRecord("_dnsauth.www.example.com", "TXT", "token")
	require.NoError(t, err)
	first.SetPackageQuota("digicert-free-1-free", 7)

	snap, err := first.Snapshot()
	require.NoError(t, err)
	assert.Contains(t, string(snap), strconv.FormatInt(order.OrderID, 10), "int64 ids are written exactly")
	st, err := alicerttest.ParseState(snap)
	require.NoError(t, err)
	second := newServer(t, alicerttest.WithState(st))

	id, secret := first.Credentials()
	id2, secret2 := second.Credentials()
	assert.Equal(t, id, id2)
	assert.Equal(t, secret, secret2)
	assert.True(t, first.CACertificate().Equal(second.CACertificate()))
	assert.Equal(t, first.OrderIDs(), second.OrderIDs())
	assert.Equal(t, utcRecords(first.DNSRecords()), utcRecords(second.DNSRecords()))
	assert.Equal(t, first.CloudResources(), second.CloudResources())

	cl2 := newClient(t, second)
	again, err := cl2.CAS.DescribeCertificateState(ctx, &alicert.DescribeCertificateStateInput{OrderID: order.OrderID})
	require.NoError(t, err)
	assert.Equal(t, issued.Certificate, again.Certificate)
	assert.Equal(t, issued.PrivateKey, again.PrivateKey)
	pub2, err := cl2.KMS.GetPublicKey(ctx, &alicert.GetPublicKeyInput{KeyID: key.KeyMetadata.KeyID, KeyVersionID: key.KeyMetadata.PrimaryKeyVersion})
	require.NoError(t, err)
	assert.Equal(t, pub.PublicKey, pub2.PublicKey, "the KMS key is the same key")
	next, err := cl2.CAS.CreateCertificateRequest(ctx, &alicert.CreateCertificateRequestInput{Domain: "api.example.com",
		ValidateType: alicert.ValidateDNS, Username: "A", Phone: "13800000000", Email: "a@example.com"})
	require.NoError(t, err)
	assert.Greater(t, next.OrderID, order.OrderID)
}

// TestParseStateRefusesADamagedDocument: a document that is not one, of
// another version, or with a key that does not parse is refused, naming
// what is wrong.
func TestParseStateRefusesADamagedDocument(t *testing.T) {
	srv := newServer(t)
	snap, err := srv.Snapshot()
	require.NoError(t, err)
	for name, tt := range map[string]struct{ doc, want string }{
		"truncated":     {string(snap[:len(snap)/2]), "state"},
		"other version": {strings.Replace(string(snap), `"version":2`, `"version":9`, 1), "version 9"},
		"unknown field": {strings.Replace(string(snap), `{"version":2`, `{"extra":1,"version":2`, 1), "extra"},
		"bad CA key":    {strings.Replace(string(snap), `"key":"-----BEGIN PRIVATE KEY-----\n`, `"key":"-----BEGIN PRIVATE KEY-----\nAA`, 1), "ca.key"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := alicerttest.ParseState([]byte(tt.doc))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

// utcRecords gives the records' times in UTC, as a document keeps them.
func utcRecords(rs []alicerttest.DNSRecord) []alicerttest.DNSRecord {
	for i := range rs {
		rs[i].Created = rs[i].Created.UTC()
	}
	return rs
}

// TestSnapshotWhileServing: Snapshot may run while requests issue and
// list certificates (the race detector checks the reads), and every
// snapshot parses.
func TestSnapshotWhileServing(t *testing.T) {
	srv := newServer(t, alicerttest.WithImmediateIssue(), alicerttest.WithCertificates(20))
	cl := newClient(t, srv)
	done := make(chan struct{})
	go func() {
		defer close(done)
		ctx := context.Background()
		for i := range 5 {
			order, err := cl.CAS.CreateCertificateRequest(ctx, &alicert.CreateCertificateRequestInput{Domain: "site" + strconv.Itoa(i) + ".example.com",
				ValidateType: alicert.ValidateDNS, Username: "A", Phone: "13800000000", Email: "a@example.com"})
			if err != nil {
				t.Error(err)
				return
			}
			if _, err := cl.CAS.DescribeCertificateState(ctx, &alicert.DescribeCertificateStateInput{OrderID: order.OrderID}); err != nil {
				t.Error(err)
				return
			}
			if _, err := cl.CAS.ListUserCertificateOrder(ctx, &alicert.ListUserCertificateOrderInput{OrderType: "CERT"}); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	for running := true; running; {
		select {
		case <-done:
			running = false
		default:
		}
		snap, err := srv.Snapshot()
		require.NoError(t, err)
		_, err = alicerttest.ParseState(snap)
		require.NoError(t, err)
	}
}

// TestStatePrintsNoSecret: a State holds private keys; no format of it,
// value or pointer, nor its JSON, shows one.
func TestStatePrintsNoSecret(t *testing.T) {
	srv := newServer(t)
	snap, err := srv.Snapshot()
	require.NoError(t, err)
	st, err := alicerttest.ParseState(snap)
	require.NoError(t, err)
	id, secret := srv.Credentials()
	js, err := json.Marshal(st)
	require.NoError(t, err)
	for _, shown := range []string{fmt.Sprint(st), fmt.Sprintf("%+v", *st), fmt.Sprintf("%#v", st), fmt.Sprintf("%x", *st), string(js)} {
		assert.NotContains(t, shown, "PRIVATE KEY")
		assert.NotContains(t, shown, secret)
		assert.NotContains(t, shown, id)
		assert.Contains(t, shown, "alicerttest.State{")
	}
}
