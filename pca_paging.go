package alicert

import (
	"context"
	"iter"
)

// pcaPage is the page size the Private CA iterators ask for. The models
// give a default of 20 and state no largest size; a service that answers
// shorter pages is still read to the end (allPages).
const pcaPage = 50

// AllCACertificates yields every CA DescribeCACertificateList finds for in,
// from in.CurrentPage (zero: the first) on, reading one page at a time as
// the loop asks for more: a loop that breaks sends no further request. A
// failed page yields its error once and ends the sequence, and so does a
// service that does not page as asked (see AllCloudResources). A zero
// in.ShowSize reads pages of 50. in is not modified.
func (s *PCAService) AllCACertificates(ctx context.Context, in *DescribeCACertificateListInput) iter.Seq2[CAListEntry, error] {
	q := DescribeCACertificateListInput{}
	if in != nil {
		q = *in
	}
	q.CurrentPage, q.ShowSize = firstPage(q.CurrentPage, q.ShowSize, pcaPage)
	return allPages("DescribeCACertificateList", q.CurrentPage, q.ShowSize, func(n int64) ([]CAListEntry, int64, error) {
		page := q
		page.CurrentPage = n
		out, err := s.DescribeCACertificateList(ctx, &page)
		if err != nil {
			return nil, 0, err
		}
		return out.CertificateList, int64(out.TotalCount), nil
	})
}

// AllClientCertificates yields every certificate ListClientCertificate
// finds for in, as AllCACertificates reads the CAs.
func (s *PCAService) AllClientCertificates(ctx context.Context, in *ListClientCertificateInput) iter.Seq2[PCACertificateEntry, error] {
	q := ListClientCertificateInput{}
	if in != nil {
		q = *in
	}
	q.CurrentPage, q.ShowSize = firstPage(q.CurrentPage, q.ShowSize, pcaPage)
	return allPages("ListClientCertificate", q.CurrentPage, q.ShowSize, func(n int64) ([]PCACertificateEntry, int64, error) {
		page := q
		page.CurrentPage = n
		out, err := s.ListClientCertificate(ctx, &page)
		if err != nil {
			return nil, 0, err
		}
		return out.CertificateList, out.TotalCount, nil
	})
}

// AllRevokedCertificates yields every certificate ListRevokeCertificate
// lists, as AllCACertificates reads the CAs.
func (s *PCAService) AllRevokedCertificates(ctx context.Context, in *ListRevokeCertificateInput) iter.Seq2[RevokedCertificate, error] {
	q := ListRevokeCertificateInput{}
	if in != nil {
		q = *in
	}
	q.CurrentPage, q.ShowSize = firstPage(q.CurrentPage, q.ShowSize, pcaPage)
	return allPages("ListRevokeCertificate", q.CurrentPage, q.ShowSize, func(n int64) ([]RevokedCertificate, int64, error) {
		page := q
		page.CurrentPage = n
		out, err := s.ListRevokeCertificate(ctx, &page)
		if err != nil {
			return nil, 0, err
		}
		return out.CertificateList, out.TotalCount, nil
	})
}

// firstPage is the page an iterator starts from (zero or less: the first)
// and the size it asks for (zero: defaultSize).
func firstPage(page, size, defaultSize int64) (int64, int64) {
	if size == 0 {
		size = defaultSize
	}
	return max(page, 1), size
}
