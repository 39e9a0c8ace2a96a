package alicert

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
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
	got := collect(t, allPages(1, 100, pagesOf(list, 3, 7, &requests)))
	assert.Equal(t, list, got)
	assert.Equal(t, 3, requests, "3 + 3 + 1 entries reach the total: no request for an empty page")
}

// TestAllPagesWithoutATotal reads on to the first empty page.
func TestAllPagesWithoutATotal(t *testing.T) {
	t.Parallel()
	list := []int{1, 2, 3, 4, 5}
	requests := 0
	assert.Equal(t, list, collect(t, allPages(1, 2, pagesOf(list, 2, 0, &requests))))
	assert.Equal(t, 4, requests, "three pages, then the empty one")
}

// TestAllPagesStopsAtBreakAndOnError: a break sends no further request; a
// failed page is one error that ends the sequence.
func TestAllPagesStopsAtBreakAndOnError(t *testing.T) {
	t.Parallel()
	requests := 0
	for range allPages(1, 2, pagesOf([]int{1, 2, 3, 4}, 2, 4, &requests)) {
		break
	}
	assert.Equal(t, 1, requests)

	boom := errors.New("boom")
	var errs []error
	for _, err := range allPages(3, 10, func(int64) ([]int, int64, error) { return nil, 0, boom }) {
		errs = append(errs, err)
	}
	assert.Equal(t, []error{boom}, errs)
}
