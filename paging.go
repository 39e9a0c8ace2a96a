package alicert

import "iter"

// allPages is the one paging loop of the package. It yields the entries of
// a paged list from page first on, one page at a time as the loop consumes
// them: a loop that breaks sends no further request, and a page that fails
// (after the retries of a read) is yielded as one error that ends the
// sequence. fetch reads one page and returns its entries and the total the
// service reports for the whole list.
//
// Paging ends at the first empty page, or once the entries seen reach the
// total (the pages before first count as full pages of size; a total of 0
// is taken as not reported). A short page alone does not end it: a service that caps the page size below the size
// asked for answers short pages all along, and stopping at the first would
// drop the rest of the list without a word.
func allPages[T any](first, size int64, fetch func(page int64) ([]T, int64, error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		seen := (first - 1) * size
		for page := first; ; page++ {
			entries, total, err := fetch(page)
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			if len(entries) == 0 {
				return
			}
			for _, e := range entries {
				if !yield(e, nil) {
					return
				}
			}
			seen += int64(len(entries))
			if total > 0 && seen >= total {
				return
			}
		}
	}
}
