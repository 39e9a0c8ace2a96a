package alicert

import "context"

// packageProductCodes are the resource plan specifications DescribePackageState
// documents: the DV codes of CreateCertificateRequest and the OV and EV ones.
var packageProductCodes = append(append([]string(nil), productCodes...),
	"symantec-ov-1-personal", "symantec-ov-w-personal",
	"geotrust-ov-1-personal", "geotrust-ov-w-personal",
	"globalsign-ov-1-personal", "globalsign-ov-w-advanced",
	"cfca-ov-1-personal", "cfca-ev-w-advanced",
)

// DescribePackageStateInput is the input of DescribePackageState.
type DescribePackageStateInput struct {
	// ProductCode is the resource plan's specification, such as
	// digicert-free-1-free (the service's default when empty).
	ProductCode string `url:"ProductCode,omitempty"`
}

func (in *DescribePackageStateInput) validate() []FieldError {
	var p problems
	if in.ProductCode != "" {
		oneOf(&p, "ProductCode", in.ProductCode, packageProductCodes...)
	}
	return p
}

// DescribePackageStateOutput is the output of DescribePackageState.
type DescribePackageStateOutput struct {
	// ProductCode is the specification.
	ProductCode string `json:"ProductCode"`
	// TotalCount is the number of certificates bought in resource plans.
	TotalCount int64 `json:"TotalCount"`
	// UsedCount is the number of applications made (each successful
	// CreateCertificateRequest, CreateCertificateWithCsrRequest or renewal,
	// issued or not).
	UsedCount int64 `json:"UsedCount"`
	// IssuedCount is the number of certificates issued.
	IssuedCount int64 `json:"IssuedCount"`
	// RequestID identifies the request for Alibaba Cloud support.
	RequestID string `json:"RequestId"`
}

// Remaining is the number of applications the resource plans still allow.
func (o *DescribePackageStateOutput) Remaining() int64 { return max(o.TotalCount-o.UsedCount, 0) }

var opDescribePackageState = &operation{action: "DescribePackageState", kind: opIdempotent}

// DescribePackageState reports the quota of the resource plans of one
// specification: bought, used and issued. It is a read: retried on
// throttling, 5xx and network failures.
//
// API reference: https://www.alibabacloud.com/help/en/ssl-certificate/developer-reference/api-cas-2020-04-07-describepackagestate
func (s *CASService) DescribePackageState(ctx context.Context, in *DescribePackageStateInput) (*DescribePackageStateOutput, error) {
	return invoke[DescribePackageStateOutput](ctx, s.owner(), opDescribePackageState, in)
}
