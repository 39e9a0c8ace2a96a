package alicert_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/alicert/alicert"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEveryCallOnAServiceWithoutAClientFailsCleanly calls every method
// shaped (ctx, *Input) (*Output, error) of every service, on a nil service
// and on a zero one, with a zero input: each returns an error, none panics.
func TestEveryCallOnAServiceWithoutAClientFailsCleanly(t *testing.T) {
	t.Parallel()
	ctxType := reflect.TypeFor[context.Context]()
	errType := reflect.TypeFor[error]()
	services := []reflect.Value{
		reflect.ValueOf((*alicert.CASService)(nil)), reflect.ValueOf(&alicert.CASService{}),
		reflect.ValueOf((*alicert.KMSService)(nil)), reflect.ValueOf(&alicert.KMSService{}),
		reflect.ValueOf((*alicert.DNSService)(nil)), reflect.ValueOf(&alicert.DNSService{}),
	}
	calls := 0
	for _, svc := range services {
		for i := range svc.NumMethod() {
			m, mt := svc.Method(i), svc.Type().Method(i)
			ft := m.Type()
			if ft.NumIn() != 2 || ft.In(0) != ctxType || ft.In(1).Kind() != reflect.Pointer ||
				ft.NumOut() != 2 || ft.Out(1) != errType {
				continue
			}
			name := svc.Type().String() + "." + mt.Name
			var out []reflect.Value
			assert.NotPanics(t, func() {
				out = m.Call([]reflect.Value{reflect.ValueOf(t.Context()), reflect.New(ft.In(1).Elem())})
			}, name)
			if out != nil {
				assert.Error(t, out[1].Interface().(error), name)
			}
			calls++
		}
	}
	assert.Greater(t, calls, 60, "every operation of the three services, twice")
}

func TestServicesWithoutAClientFailWithoutPanicking(t *testing.T) {
	t.Parallel()
	var (
		nilCAS *alicert.CASService
		nilKMS *alicert.KMSService
		nilDNS *alicert.DNSService
	)
	ctx := t.Context()
	calls := map[string]func() error{
		"CreateCertificateRequest": func() error { _, err := nilCAS.CreateCertificateRequest(ctx, nil); return err },
		"DescribeCertificateState": func() error { _, err := nilCAS.DescribeCertificateState(ctx, nil); return err },
		"WaitForCertificate": func() error {
			_, err := (&alicert.CASService{}).WaitForCertificate(ctx, &alicert.DescribeCertificateStateInput{OrderID: 1})
			return err
		},
		"CreateCsr":                func() error { _, err := nilCAS.CreateCsr(ctx, nil); return err },
		"GetCsrDetail":             func() error { _, err := nilCAS.GetCsrDetail(ctx, nil); return err },
		"Obtain":                   func() error { _, err := nilCAS.Obtain(ctx, nil); return err },
		"CreateCertificate":        func() error { _, err := nilKMS.CreateCertificate(ctx, nil); return err },
		"UploadCertificate":        func() error { _, err := nilKMS.UploadCertificate(ctx, nil); return err },
		"AddDomainRecord":          func() error { _, err := nilDNS.AddDomainRecord(ctx, nil); return err },
		"DescribeSubDomainRecords": func() error { _, err := nilDNS.DescribeSubDomainRecords(ctx, nil); return err },
		"DeleteDomainRecord":       func() error { _, err := nilDNS.DeleteDomainRecord(ctx, nil); return err },
	}
	for op, call := range calls {
		var err error
		require.NotPanics(t, func() { err = call() }, op)
		assert.Error(t, err, op)
	}
	// A valid input reaches the missing client: the error says what to do.
	_, err := nilCAS.DescribeCertificateState(ctx, &alicert.DescribeCertificateStateInput{OrderID: 7})
	assert.ErrorContains(t, err, "alicert: DescribeCertificateState: the service has no client")
	_, err = (&alicert.DNSService{}).AddDomainRecord(ctx, &alicert.AddDomainRecordInput{
		DomainName: "example.com", RR: "www", Type: "A", Value: "192.0.2.1"})
	assert.ErrorContains(t, err, "the service has no client")
}
