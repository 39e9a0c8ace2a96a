package alicert

import (
	"context"
	"iter"
	"time"
)

// The inventory: every certificate or order, page by page as a loop
// consumes them, with typed times, so that "what expires within 30 days"
// is one loop:
//
//	now := time.Now()
//	in := &alicert.ListUserCertificateOrderInput{OrderType: alicert.OrderTypeCert}
//	for c, err := range client.CAS.AllUserCertificateOrders(ctx, in) {
//		if err != nil {
//			return err
//		}
//		if c.ExpiresWithin(30*24*time.Hour, now) {
//			fmt.Println(c.CertificateID, c.CommonName, c.NotAfter())
//		}
//	}

// defaultOrderPage is the page size AllUserCertificateOrders asks for when
// the input gives none. The service documents 50 as its default and no
// maximum, so 50 is the largest size known to be accepted.
const defaultOrderPage = 50

// AllUserCertificateOrders returns every entry ListUserCertificateOrder
// lists for in, over all pages, in order. It fetches one page at a time, as
// the loop consumes the entries: the list is never held whole, and a loop
// that breaks sends no further request. Paging starts at in.CurrentPage (1
// when 0), with in.ShowSize entries a page (50 when 0), and stops once
// TotalCount entries were seen or a page comes back empty. A failed page
// (after the retries of a read) is yielded as one error, with a zero
// CertificateOrder, and ends the sequence; so is a page that repeats the
// previous one, a TotalCount that is negative or beyond 1000 pages, more
// entries than TotalCount, and a 1001st page: a service that does not page
// as asked cannot keep the loop going. in is not modified.
func (s *CASService) AllUserCertificateOrders(ctx context.Context, in *ListUserCertificateOrderInput) iter.Seq2[CertificateOrder, error] {
	req := ListUserCertificateOrderInput{}
	if in != nil {
		req = *in
	}
	if req.CurrentPage == 0 {
		req.CurrentPage = 1
	}
	if req.ShowSize == 0 {
		req.ShowSize = defaultOrderPage
	}
	return allPages("ListUserCertificateOrder", req.CurrentPage, req.ShowSize, func(n int64) ([]CertificateOrder, int64, error) {
		page := req // in is never modified
		page.CurrentPage = n
		out, err := s.ListUserCertificateOrder(ctx, &page)
		if err != nil {
			return nil, 0, err
		}
		return out.CertificateOrderList, out.TotalCount, nil
	})
}

// FindUploadedCertificate returns the uploaded certificate named name, or
// nil when there is none. Certificate names are unique in an account, so
// after UploadUserCertificate failed with ErrOutcomeUnknown this tells
// whether the upload happened: upload again only when it returns nil.
//
// It lists OrderTypeUpload certificates with name as Keyword, in every
// status (an expired one holds the name as well), and compares names
// exactly (the keyword also matches domains and parts of names).
func (s *CASService) FindUploadedCertificate(ctx context.Context, name string) (*CertificateOrder, error) {
	if name == "" {
		return nil, &ValidationError{Operation: "FindUploadedCertificate", Fields: []FieldError{{Field: "name", Problem: "is required"}}}
	}
	// An empty Status lists only the valid certificates; the expired ones
	// are asked for on their own.
	for _, status := range []string{"", OrderStatusExpired} {
		in := &ListUserCertificateOrderInput{OrderType: OrderTypeUpload, Keyword: name, Status: status}
		for c, err := range s.AllUserCertificateOrders(ctx, in) {
			if err != nil {
				return nil, errorf("alicert: FindUploadedCertificate: %w", err)
			}
			if c.Name == name {
				return &c, nil
			}
		}
	}
	return nil, nil
}

// msTime converts milliseconds since the epoch to a time in UTC; 0 (not
// set) is the zero time.
func msTime(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

// NotBefore is the start of the certificate's validity (CertStartTime), or
// the zero time when the service did not say.
func (o CertificateOrder) NotBefore() time.Time { return msTime(o.CertStartTime) }

// NotAfter is the end of the certificate's validity (CertEndTime), or the
// zero time when the service did not say.
func (o CertificateOrder) NotAfter() time.Time { return msTime(o.CertEndTime) }

// Bought is when the order was bought (BuyDate), or the zero time.
func (o CertificateOrder) Bought() time.Time { return msTime(o.BuyDate) }

// ExpiresWithin reports whether the certificate's validity ends before
// now+d: it is true for a certificate already expired, and false when the
// end is not known (an order not issued yet).
func (o CertificateOrder) ExpiresWithin(d time.Duration, now time.Time) bool {
	end := o.NotAfter()
	return !end.IsZero() && end.Before(now.Add(d))
}

// Remaining is the time left until the certificate's validity ends from
// now: negative once expired, 0 when the end is not known.
func (o CertificateOrder) Remaining(now time.Time) time.Duration {
	end := o.NotAfter()
	if end.IsZero() {
		return 0
	}
	return end.Sub(now)
}

// NotBeforeTime is the start of the certificate's validity (NotBefore), or
// the zero time.
func (o *GetUserCertificateDetailOutput) NotBeforeTime() time.Time { return msTime(o.NotBefore) }

// NotAfterTime is the end of the certificate's validity (NotAfter), or the
// zero time.
func (o *GetUserCertificateDetailOutput) NotAfterTime() time.Time { return msTime(o.NotAfter) }
