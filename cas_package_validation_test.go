package alicert

import (
	"context"
	"testing"
)

func TestValidationDescribePackageState(t *testing.T) {
	t.Parallel()
	valRun(t, "DescribePackageState", []valCase{
		{"ProductCode unknown", func(ctx context.Context, c *Client) (any, error) {
			return valOut(c.CAS.DescribePackageState(ctx, &DescribePackageStateInput{ProductCode: "digicert"}))
		}, []string{"ProductCode"}},
	})
}
