package alicert

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// endpointMaps are the EndpointMap entries of the official generated
// clients' Init (cas-20200407, kms-20160120, alidns-20150109 in
// alibabacloud-go-sdk, 2026-08), region by region: the oracle of
// defaultEndpoints. A region missing from a map gets darabonba's regional
// rule, <product>.<region>.aliyuncs.com.
var endpointMaps = map[string]map[string]string{
	"cas": {
		"cn-hangzhou":                 "cas.aliyuncs.com",
		"ap-northeast-2-pop":          "cas.aliyuncs.com",
		"ap-southeast-3":              "cas.aliyuncs.com",
		"ap-southeast-5":              "cas.aliyuncs.com",
		"cn-beijing":                  "cas.aliyuncs.com",
		"cn-beijing-finance-1":        "cas.aliyuncs.com",
		"cn-beijing-finance-pop":      "cas.aliyuncs.com",
		"cn-beijing-gov-1":            "cas.aliyuncs.com",
		"cn-beijing-nu16-b01":         "cas.aliyuncs.com",
		"cn-chengdu":                  "cas.aliyuncs.com",
		"cn-edge-1":                   "cas.aliyuncs.com",
		"cn-fujian":                   "cas.aliyuncs.com",
		"cn-haidian-cm12-c01":         "cas.aliyuncs.com",
		"cn-hangzhou-bj-b01":          "cas.aliyuncs.com",
		"cn-hangzhou-finance":         "cas.aliyuncs.com",
		"cn-hangzhou-internal-prod-1": "cas.aliyuncs.com",
		"cn-hangzhou-internal-test-1": "cas.aliyuncs.com",
		"cn-hangzhou-internal-test-2": "cas.aliyuncs.com",
		"cn-hangzhou-internal-test-3": "cas.aliyuncs.com",
		"cn-hangzhou-test-306":        "cas.aliyuncs.com",
		"cn-hongkong":                 "cas.aliyuncs.com",
		"cn-hongkong-finance-pop":     "cas.aliyuncs.com",
		"cn-huhehaote":                "cas.aliyuncs.com",
		"cn-huhehaote-nebula-1":       "cas.aliyuncs.com",
		"cn-north-2-gov-1":            "cas.aliyuncs.com",
		"cn-qingdao":                  "cas.aliyuncs.com",
		"cn-qingdao-nebula":           "cas.aliyuncs.com",
		"cn-shanghai":                 "cas.aliyuncs.com",
		"cn-shanghai-et15-b01":        "cas.aliyuncs.com",
		"cn-shanghai-et2-b01":         "cas.aliyuncs.com",
		"cn-shanghai-finance-1":       "cas.aliyuncs.com",
		"cn-shanghai-inner":           "cas.aliyuncs.com",
		"cn-shanghai-internal-test-1": "cas.aliyuncs.com",
		"cn-shenzhen":                 "cas.aliyuncs.com",
		"cn-shenzhen-finance-1":       "cas.aliyuncs.com",
		"cn-shenzhen-inner":           "cas.aliyuncs.com",
		"cn-shenzhen-st4-d01":         "cas.aliyuncs.com",
		"cn-shenzhen-su18-b01":        "cas.aliyuncs.com",
		"cn-wuhan":                    "cas.aliyuncs.com",
		"cn-wulanchabu":               "cas.aliyuncs.com",
		"cn-yushanfang":               "cas.aliyuncs.com",
		"cn-zhangbei":                 "cas.aliyuncs.com",
		"cn-zhangbei-na61-b01":        "cas.aliyuncs.com",
		"cn-zhangjiakou":              "cas.aliyuncs.com",
		"cn-zhangjiakou-na62-a01":     "cas.aliyuncs.com",
		"cn-zhengzhou-nebula-1":       "cas.aliyuncs.com",
		"eu-west-1":                   "cas.aliyuncs.com",
		"eu-west-1-oxs":               "cas.aliyuncs.com",
		"rus-west-1-pop":              "cas.aliyuncs.com",
		"us-east-1":                   "cas.aliyuncs.com",
		"us-west-1":                   "cas.aliyuncs.com",
		"ap-southeast-2":              "cas.ap-southeast-2.aliyuncs.com",
		"ap-northeast-1":              "cas.ap-northeast-1.aliyuncs.com",
		"ap-southeast-1":              "cas.ap-southeast-1.aliyuncs.com",
		"eu-central-1":                "cas.eu-central-1.aliyuncs.com",
		"me-central-1":                "cas.me-central-1.aliyuncs.com",
		"ap-south-1":                  "cas.ap-south-1.aliyuncs.com",
		"me-east-1":                   "cas.me-east-1.aliyuncs.com",
	},
	"kms": {
		"us-west-1":             "kms.us-west-1.aliyuncs.com",
		"us-east-1":             "kms.us-east-1.aliyuncs.com",
		"na-south-1":            "kms.na-south-1.aliyuncs.com",
		"me-east-1":             "kms.me-east-1.aliyuncs.com",
		"me-central-1":          "kms.me-central-1.aliyuncs.com",
		"eu-west-1":             "kms.eu-west-1.aliyuncs.com",
		"eu-central-1":          "kms.eu-central-1.aliyuncs.com",
		"cn-zhengzhou-jva":      "kms.cn-zhengzhou-jva.aliyuncs.com",
		"cn-zhangjiakou":        "kms.cn-zhangjiakou.aliyuncs.com",
		"cn-wulanchabu":         "kms.cn-wulanchabu.aliyuncs.com",
		"cn-wuhan-lr":           "kms.cn-wuhan-lr.aliyuncs.com",
		"cn-shenzhen-finance-1": "kms.cn-shenzhen-finance-1.aliyuncs.com",
		"cn-shenzhen":           "kms.cn-shenzhen.aliyuncs.com",
		"cn-shanghai-finance-1": "kms.cn-shanghai-finance-1.aliyuncs.com",
		"cn-shanghai":           "kms.cn-shanghai.aliyuncs.com",
		"cn-qingdao":            "kms.cn-qingdao.aliyuncs.com",
		"cn-huhehaote":          "kms.cn-huhehaote.aliyuncs.com",
		"cn-hongkong":           "kms.cn-hongkong.aliyuncs.com",
		"cn-heyuan-acdr-1":      "kms.cn-heyuan-acdr-1.aliyuncs.com",
		"cn-heyuan":             "kms.cn-heyuan.aliyuncs.com",
		"cn-hangzhou-finance":   "kms.cn-hangzhou-finance.aliyuncs.com",
		"cn-hangzhou":           "kms.cn-hangzhou.aliyuncs.com",
		"cn-guangzhou":          "kms.cn-guangzhou.aliyuncs.com",
		"cn-fuzhou":             "kms.cn-fuzhou.aliyuncs.com",
		"cn-chengdu":            "kms.cn-chengdu.aliyuncs.com",
		"cn-beijing-finance-1":  "kms.cn-beijing-finance-1.aliyuncs.com",
		"cn-beijing":            "kms.cn-beijing.aliyuncs.com",
		"ap-southeast-7":        "kms.ap-southeast-7.aliyuncs.com",
		"ap-southeast-6":        "kms.ap-southeast-6.aliyuncs.com",
		"ap-southeast-5":        "kms.ap-southeast-5.aliyuncs.com",
		"ap-southeast-3":        "kms.ap-southeast-3.aliyuncs.com",
		"ap-southeast-1":        "kms.ap-southeast-1.aliyuncs.com",
		"ap-northeast-2":        "kms.ap-northeast-2.aliyuncs.com",
		"ap-northeast-1":        "kms.ap-northeast-1.aliyuncs.com",
	},
	"alidns": {
		"public": "alidns.aliyuncs.com",
	},
}

// TestDefaultEndpointsFollowTheOfficialMaps: every region of each map gets
// the map's host; a region outside the maps gets the regional rule's.
func TestDefaultEndpointsFollowTheOfficialMaps(t *testing.T) {
	t.Parallel()
	pick := func(product, region string) string {
		cas, kms, alidns := defaultEndpoints(region)
		return map[string]string{"cas": cas, "kms": kms, "alidns": alidns}[product]
	}
	for product, entries := range endpointMaps {
		for region, host := range entries {
			assert.Equal(t, "https://"+host, pick(product, region), "%s in %s", product, region)
		}
		for _, region := range []string{"xx-nowhere-9", "cn-newcity"} {
			if _, listed := entries[region]; listed {
				continue
			}
			assert.Equal(t, "https://"+product+"."+region+".aliyuncs.com", pick(product, region), "%s in %s, outside the map", product, region)
		}
	}
	cas, kms, alidns := defaultEndpoints("cn-hongkong")
	assert.Equal(t, []string{"https://cas.aliyuncs.com", "https://kms.cn-hongkong.aliyuncs.com", "https://alidns.cn-hongkong.aliyuncs.com"},
		[]string{cas, kms, alidns}, "Hong Kong, which alicert used to send to cas.ap-southeast-1")
}
