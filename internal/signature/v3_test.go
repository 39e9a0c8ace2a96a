package signature

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestV3OfficialVector is the fixed example of Alibaba Cloud's "V3 request
// structure and signature" page: its parameters travel in the query.
func TestV3OfficialVector(t *testing.T) {
	t.Parallel()
	params := []Param{
		{"RegionId", "cn-shanghai"},
		{"ImageId", "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd"},
	}
	Sort(params)
	req := V3Request{
		Method:         "POST",
		CanonicalQuery: string(AppendCanonical(nil, params)),
		Headers: []Header{
			{"x-acs-version", "2014-05-26"},
			{"host", "ecs.cn-shanghai.aliyuncs.com"},
			{"x-acs-action", "RunInstances"},
			{"x-acs-date", "2023-10-26T10:22:32Z"},
			{"x-acs-signature-nonce", "3156853299f313e23d1673dc12e1703d"},
			{"x-acs-content-sha256", HashPayload(nil)},
		},
	}
	canonical, signed := req.CanonicalRequest()
	assert.Equal(t, "host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version", signed)
	sts := V3StringToSign(canonical)
	assert.Equal(t, "ACS3-HMAC-SHA256\n7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259", sts)
	sig := V3Sign("YourAccessKeySecret", sts)
	assert.Equal(t, "06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0", sig)
	assert.Equal(t, "ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders="+signed+",Signature="+sig,
		V3Authorization("YourAccessKeyId", signed, sig))
}
