package compat

import (
	"testing"

	kms3 "github.com/alibabacloud-go/kms-20160120/v3/client"
	"github.com/alibabacloud-go/tea/tea"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/cas"
)

// STS credentials: the fake accepts the token where each SDK sends it (the
// SecurityToken parameter with HMAC-SHA1, the x-acs-security-token header
// with V3), and refuses a wrong one with the service's code.

const (
	stsID     = "STS.compat-key-id"
	stsSecret = "compat-sts-secret"
	stsToken  = "compat-sts-token"
)

func TestAliyunSTS(t *testing.T) {
	for _, tc := range []struct {
		token, code string
	}{{stsToken, ""}, {stsToken + "x", "InvalidSecurityToken.MismatchWithAccessKey"}} {
		srv := newServer(t)
		srv.AddCredentials(stsID, stsSecret, stsToken)
		client, err := cas.NewClientWithOptions(region, aliyunConfig(), credentials.NewStsTokenCredential(stsID, stsSecret, tc.token))
		if err != nil {
			t.Fatalf("cas.NewClientWithOptions: %v", err)
		}
		client.Domain = hostOf(t, srv)
		req := cas.CreateCreateCertificateRequestRequest()
		req.Domain, req.ValidateType = "www.example.com", "DNS"
		req.Username, req.Phone, req.Email = "Alice", "13800000000", "alice@example.com"
		req.Username, req.Phone, req.Email = "Alice", "13800000000", "alice@example.com"
		_, err = client.CreateCertificateRequest(req)
		if code := aliyunCode(err); code != tc.code || (code == "") != (err == nil) {
			t.Errorf("token %q: error %v (code %q), want code %q", tc.token, err, code, tc.code)
		}
	}
}

func TestDarabonbaSTS(t *testing.T) {
	forEachAlgorithm(t, func(t *testing.T, alg string) {
		for _, tc := range []struct {
			token, code string
		}{{stsToken, ""}, {stsToken + "x", "InvalidSecurityToken.MismatchWithAccessKey"}} {
			srv := newServer(t)
			srv.AddCredentials(stsID, stsSecret, stsToken)
			cfg := openapiConfig(t, srv, stsSecret, alg)
			cfg.AccessKeyId, cfg.SecurityToken = tea.String(stsID), tea.String(tc.token)
			client, err := kms3.NewClient(cfg)
			if err != nil {
				t.Fatalf("kms-20160120 NewClient: %v", err)
			}
			_, err = client.CreateCertificate(&kms3.CreateCertificateRequest{
				KeySpec: tea.String("EC_P256"), Subject: tea.String("CN=www.example.com,C=CN,O=Example,OU=Ops"),
			})
			if code := teaCode(err); code != tc.code || (code == "") != (err == nil) {
				t.Errorf("token %q: error %v (code %q), want code %q", tc.token, err, code, tc.code)
			}
		}
	})
}
