package alicert_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/internal/testkit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hostilePages answers every list request with a page of size entries
// whatever page was asked for, reporting total. With shift, the ids of a
// page depend on its number, so that no two pages are alike; without it,
// every page is the first one.
func hostilePages(size int, total int64, shift bool) testkit.Responder {
	return func(r testkit.Request) testkit.Reply {
		page := int64(1)
		if shift {
			page, _ = strconv.ParseInt(r.Form.Get("CurrentPage"), 10, 64)
		}
		entries := make([]string, size)
		for i := range entries {
			id := page*1000 + int64(i) + 1
			entries[i] = fmt.Sprintf(`{"Id":%d,"CertificateId":%d,"CertId":77,"Name":"job-%d","ResourceId":%d}`, id, id, id, id)
		}
		list := "[" + strings.Join(entries, ",") + "]"
		return testkit.JSON(200, fmt.Sprintf(`{"RequestId":"R","CertificateOrderList":%s,"TotalCount":%d,"Data":%s,"Total":%d}`,
			list, total, list, total))
	}
}

// pagingHelpers run each paging helper of CASService to its end and
// return its error.
var pagingHelpers = map[string]func(context.Context, *alicert.CASService) error{
	"AllUserCertificateOrders": func(ctx context.Context, s *alicert.CASService) error {
		for _, err := range s.AllUserCertificateOrders(ctx, &alicert.ListUserCertificateOrderInput{ShowSize: 3}) {
			if err != nil {
				return err
			}
		}
		return nil
	},
	"AllCloudResources": func(ctx context.Context, s *alicert.CASService) error {
		for _, err := range s.AllCloudResources(ctx, &alicert.ListCloudResourcesInput{ShowSize: 3}) {
			if err != nil {
				return err
			}
		}
		return nil
	},
	"CloudResourcesServing": func(ctx context.Context, s *alicert.CASService) error {
		_, err := s.CloudResourcesServing(ctx, 77)
		return err
	},
	"FindDeploymentJob": func(ctx context.Context, s *alicert.CASService) error {
		_, err := s.FindDeploymentJob(ctx, "no-such-job")
		return err
	},
}

// TestPagingHelpersStopAHostileService: a service that ignores the page
// number, or reports a total no listing can have, or more entries than its
// total, ends every paging helper with an error after a request or two.
func TestPagingHelpersStopAHostileService(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		respond  testkit.Responder
		requests int
		problem  string
	}{
		{"the same page, no total", hostilePages(3, 0, false), 2, "repeats page 1"},
		{"the same page, an absurd total", hostilePages(3, 1<<62, false), 1, "reports a total of 4611686018427387904"},
		{"a negative total", hostilePages(3, -1, true), 1, "reports a total of -1"},
		{"more entries than the total", hostilePages(3, 2, true), 1, "more than the total of 2"},
		{"more entries than asked for", hostilePages(101, 0, true), 1, "holds 101 entries, more than the"},
	} {
		for name, helper := range pagingHelpers {
			t.Run(tc.name+"/"+name, func(t *testing.T) {
				t.Parallel()
				srv := testkit.NewServer(t, tc.respond)
				err := helper(t.Context(), clientOf(t, srv).CAS)
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.problem)
				assert.Equal(t, tc.requests, srv.Attempts())
			})
		}
	}
}
