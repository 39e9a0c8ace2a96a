package alicert

import (
	"errors"
	"testing"

	"github.com/alicert/alicert/internal/testkit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pagesOf serves list in pages of pageSize whatever size was asked for,
// reporting total (0: not reported), and counts the requests.
func pagesOf(list []int, pageSize int, total int64, requests *int) func(int64) ([]int, int64, error) {
	return func(n int64) ([]int, int64, error) {
		*requests++
		from := min(int(n-1)*pageSize, len(list))
		return list[from:min(from+pageSize, len(list))], total, nil
	}
}

func collect(t *testing.T, seq func(func(int, error) bool)) []int {
	t.Helper()
	var got []int
	for v, err := range seq {
		assert.NoError(t, err)
		got = append(got, v)
	}
	return got
}

// TestAllPagesReadsPastShortPages: a service that caps the page size below
// the size asked for answers short pages; paging goes on to the total.
func TestAllPagesReadsPastShortPages(t *testing.T) {
	t.Parallel()
	list := []int{1, 2, 3, 4, 5, 6, 7}
	requests := 0
	got := collect(t, allPages("List", 1, 100, pagesOf(list, 3, 7, &requests)))
	assert.Equal(t, list, got)
	assert.Equal(t, 3, requests, "3 + 3 + 1 entries reach the total: no request for an empty page")
}

// TestAllPagesWithoutATotal reads on to the first empty page.
func TestAllPagesWithoutATotal(t *testing.T) {
	t.Parallel()
	list := []int{1, 2, 3, 4, 5}
	requests := 0
	assert.Equal(t, list, collect(t, allPages("List", 1, 2, pagesOf(list, 2, 0, &requests))))
	assert.Equal(t, 4, requests, "three pages, then the empty one")
}

// TestAllPagesStopsAtBreakAndOnError: a break sends no further request; a
// failed page is one error that ends the sequence.
func TestAllPagesStopsAtBreakAndOnError(t *testing.T) {
	t.Parallel()
	requests := 0
	for range allPages("List", 1, 2, pagesOf([]int{1, 2, 3, 4}, 2, 4, &requests)) {
		break
	}
	assert.Equal(t, 1, requests)

	boom := errors.New("boom")
	var errs []error
	for _, err := range allPages("List", 3, 10, func(int64) ([]int, int64, error) { return nil, 0, boom }) {
		errs = append(errs, err)
	}
	assert.Equal(t, []error{boom}, errs)
}

// TestAllPagesStopsAtTheBound: a service that answers a new full page for
// every page number, with no total, is stopped after maxPages requests.
func TestAllPagesStopsAtTheBound(t *testing.T) {
	t.Parallel()
	requests := 0
	endless := func(n int64) ([]int, int64, error) {
		requests++
		return []int{int(n)}, 0, nil
	}
	var got int
	var errs []error
	for _, err := range allPages("List", 1, 1, endless) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		got++
	}
	require.Len(t, errs, 1)
	assert.Contains(t, errs[0].Error(), "stopped after 1000 pages")
	assert.Equal(t, maxPages, requests)
	assert.Equal(t, maxPages, got)
}

// TestJobWorkersStopsAHostileService: the worker list of a job, read by
// Deploy, ends on a page that repeats the previous one.
func TestJobWorkersStopsAHostileService(t *testing.T) {
	t.Parallel()
	page := `{"RequestId":"R","Data":[{"Id":1,"ResourceId":11},{"Id":2,"ResourceId":12}],"Total":0}`
	srv := testkit.NewScripted(t, testkit.JSON(200, page))
	cl, err := NewClient(WithAccessKey("id", "secret"), WithCASEndpoint(srv.URL))
	require.NoError(t, err)
	_, err = cl.CAS.jobWorkers(t.Context(), 5)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "ListWorkerResource: page 2 repeats page 1")
	assert.Equal(t, 2, srv.Attempts())
}
