package compat

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/url"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	alidns4 "github.com/alibabacloud-go/alidns-20150109/v4/client"
	cas4 "github.com/alibabacloud-go/cas-20200407/v4/client"
	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	kms3 "github.com/alibabacloud-go/kms-20160120/v3/client"
	"github.com/alibabacloud-go/tea/tea"
)

// The official V2.0 Go SDK against alicert fake run as a process of its
// own, with its state in a directory, across a restart: configured as a
// user would, with the Endpoint (host:port) and Protocol "HTTP" the fake
// prints.

// fakeStarted is what alicert fake -json prints at start.
type fakeStarted struct {
	Endpoint        string `json:"endpoint"`
	AccessKeyID     string `json:"accessKeyId"`
	AccessKeySecret string `json:"accessKeySecret"`
	raw             []byte // the whole line, for the fields a test reads itself
}

// startFake starts "alicert fake -json -state dir" and returns what it
// printed and a function that stops it with SIGTERM, checking its exit.
func startFake(t *testing.T, bin, dir string) (fakeStarted, func()) {
	t.Helper()
	cmd := exec.Command(bin, "fake", "-json", "-listen", "127.0.0.1:0", "-state", dir, "-dns-check=false")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadBytes('\n')
	if err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatalf("alicert fake printed nothing: %v; stderr: %s", err, stderr.String())
	}
	var started fakeStarted
	if err := json.Unmarshal(line, &started); err != nil {
		t.Fatalf("alicert fake -json: %v: %s", err, line)
	}
	started.raw = line
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		if err := cmd.Wait(); err != nil {
			t.Errorf("alicert fake on SIGTERM: %v; stderr: %s", err, stderr.String())
		}
	}
	t.Cleanup(stop)
	return started, stop
}

// sdkConfig is the official SDK's configuration for the fake.
func sdkConfig(t *testing.T, f fakeStarted) *openapi.Config {
	t.Helper()
	u, err := url.Parse(f.Endpoint)
	if err != nil {
		t.Fatal(err)
	}
	return &openapi.Config{
		AccessKeyId: tea.String(f.AccessKeyID), AccessKeySecret: tea.String(f.AccessKeySecret),
		Endpoint: tea.String(u.Host), Protocol: tea.String("HTTP"), RegionId: tea.String(region),
	}
}

func TestOfficialSDKAgainstAlicertFakeProcess(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "alicert")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/alicert/alicert/cmd/alicert").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v: %s", err, out)
	}
	state := t.TempDir()
	started, stop := startFake(t, bin, state)
	cfg := sdkConfig(t, started)
	cas, err := cas4.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	dns, err := alidns4.NewClient(sdkConfig(t, started))
	if err != nil {
		t.Fatal(err)
	}
	kms, err := kms3.NewClient(sdkConfig(t, started))
	if err != nil {
		t.Fatal(err)
	}

	order, err := cas.CreateCertificateRequest(&cas4.CreateCertificateRequestRequest{Domain: tea.String("www.example.com"),
		ValidateType: tea.String("DNS"), Username: tea.String("Alice"), Phone: tea.String("13800000000"), Email: tea.String("alice@example.com")})
	if err != nil {
		t.Fatalf("CreateCertificateRequest: %v", err)
	}
	orderID := tea.Int64Value(order.Body.OrderId)
	if orderID <= twoTo53 {
		t.Errorf("OrderId %d: the fake's ids are above 2^53", orderID)
	}
	var certificate string
	for range 3 {
		st, err := cas.DescribeCertificateState(&cas4.DescribeCertificateStateRequest{OrderId: tea.Int64(orderID)})
		if err != nil {
			t.Fatalf("DescribeCertificateState: %v", err)
		}
		certificate = tea.StringValue(st.Body.Certificate)
	}
	if certificate == "" {
		t.Fatal("the order was not issued after three reads")
	}
	if _, err := dns.AddDomainRecord(&alidns4.AddDomainRecordRequest{DomainName: tea.String("example.com"),
		RR: tea.String("_dnsauth.www"), Type: tea.String("TXT"), Value: tea.String("kept-across-restarts")}); err != nil {
		t.Fatalf("AddDomainRecord: %v", err)
	}
	key, err := kms.CreateKey(&kms3.CreateKeyRequest{KeySpec: tea.String("EC_P256"), KeyUsage: tea.String("SIGN/VERIFY")})
	if err != nil {
		t.Fatalf("CreateKey: %v", err)
	}
	keyID, version := tea.StringValue(key.Body.KeyMetadata.KeyId), tea.StringValue(key.Body.KeyMetadata.PrimaryKeyVersion)
	pub, err := kms.GetPublicKey(&kms3.GetPublicKeyRequest{KeyId: tea.String(keyID), KeyVersionId: tea.String(version)})
	if err != nil {
		t.Fatalf("GetPublicKey: %v", err)
	}
	stop()

	restarted, _ := startFake(t, bin, state)
	if restarted.AccessKeyID != started.AccessKeyID {
		t.Errorf("after a restart the fake accepts %s, not %s", restarted.AccessKeyID, started.AccessKeyID)
	}
	cas, err = cas4.NewClient(sdkConfig(t, restarted))
	if err != nil {
		t.Fatal(err)
	}
	st, err := cas.DescribeCertificateState(&cas4.DescribeCertificateStateRequest{OrderId: tea.Int64(orderID)})
	if err != nil {
		t.Fatalf("DescribeCertificateState after a restart: %v", err)
	}
	if got := tea.StringValue(st.Body.Certificate); got != certificate {
		t.Error("after a restart the order gives another certificate")
	}
	dns, err = alidns4.NewClient(sdkConfig(t, restarted))
	if err != nil {
		t.Fatal(err)
	}
	recs, err := dns.DescribeSubDomainRecords(&alidns4.DescribeSubDomainRecordsRequest{SubDomain: tea.String("_dnsauth.www.example.com")})
	if err != nil {
		t.Fatalf("DescribeSubDomainRecords after a restart: %v", err)
	}
	if n := tea.Int64Value(recs.Body.TotalCount); n != 1 {
		t.Errorf("after a restart the fake DNS holds %d records for the name, want 1", n)
	}
	kms, err = kms3.NewClient(sdkConfig(t, restarted))
	if err != nil {
		t.Fatal(err)
	}
	again, err := kms.GetPublicKey(&kms3.GetPublicKeyRequest{KeyId: tea.String(keyID), KeyVersionId: tea.String(version)})
	if err != nil {
		t.Fatalf("GetPublicKey after a restart: %v", err)
	}
	if tea.StringValue(again.Body.PublicKey) != tea.StringValue(pub.Body.PublicKey) {
		t.Error("after a restart the KMS key is another key")
	}
}
