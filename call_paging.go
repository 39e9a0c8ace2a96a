package alicert

import (
	"iter"
	"math"
	"reflect"
)

// maxPages bounds every paging loop of the package: no listing reads more
// than this many pages. It is a guard against a service that never stops
// answering (one that ignores the page number, or reports no total), not a
// limit of the service: at the page sizes the helpers ask for (50 or 100),
// it is 50,000 entries or more, and a few thousand requests for one listing
// would already be a fault.
const maxPages = 1000

// allPages is the one paging loop of the package. It yields the entries of
// a paged list from page first on, one page at a time as the loop consumes
// them: a loop that breaks sends no further request, and a page that fails
// (after the retries of a read) is yielded as one error that ends the
// sequence. fetch reads one page and returns its entries and the total the
// service reports for the whole list. op names the listing in errors.
//
// Paging ends at the first empty page, or once the entries seen reach the
// total (the pages before first count as full pages of size; a total of 0
// is taken as not reported). A short page alone does not end it: a service
// that caps the page size below the size asked for answers short pages all
// along, and stopping at the first would drop the rest of the list without
// a word.
//
// A service that does not page as asked cannot keep the loop going: it
// ends with an error, before the entries of the faulty page are yielded,
// when a page holds more entries than size, when a page repeats the
// previous one (the page number was ignored), when the entries read exceed
// the reported total, when the total is negative or more than maxPages
// pages of size, and after maxPages pages. Only the previous page is held,
// and a caller that collects the entries holds at most maxPages pages of
// size.
func allPages[T any](op string, first, size int64, fetch func(page int64) ([]T, int64, error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		fail := func(err error) {
			var zero T
			yield(zero, err)
		}
		seen := (first - 1) * size
		var read int64
		var previous []T
		for page := first; ; page++ {
			if page-first >= maxPages {
				fail(errorf("alicert: %s: stopped after %d pages without reaching the end of the list "+
					"(the service keeps answering full pages)", op, maxPages))
				return
			}
			entries, total, err := fetch(page)
			if err != nil {
				fail(err)
				return
			}
			if err := pageFault(op, page, first, size, total, int64(len(entries)), read+int64(len(entries))); err != nil {
				fail(err)
				return
			}
			if len(entries) == 0 {
				return
			}
			if page > first && reflect.DeepEqual(entries, previous) {
				fail(errorf("alicert: %s: page %d repeats page %d (the service ignores the page number)", op, page, page-1))
				return
			}
			for _, e := range entries {
				if !yield(e, nil) {
					return
				}
			}
			seen += int64(len(entries))
			read += int64(len(entries))
			if total > 0 && seen >= total {
				return
			}
			previous = entries
		}
	}
}

// pageFault checks a page (its entries, the total it reports, and the
// entries read up to and with it) against what a listing can hold.
func pageFault(op string, page, first, size, total, entries, read int64) error {
	limit := int64(math.MaxInt64)
	if pages := first - 1 + maxPages; size > 0 && pages <= math.MaxInt64/size {
		limit = pages * size
	}
	switch {
	case entries > size:
		return errorf("alicert: %s: page %d holds %d entries, more than the %d asked for", op, page, entries, size)
	case total < 0 || total > limit:
		return errorf("alicert: %s: page %d reports a total of %d entries, outside 0 to %d (%d pages of %d)",
			op, page, total, limit, maxPages, size)
	case total > 0 && read > total:
		return errorf("alicert: %s: page %d brings the entries read to %d, more than the total of %d the service reports",
			op, page, read, total)
	}
	return nil
}
