package alicert_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/alicert/alicert"
	"github.com/stretchr/testify/assert"
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
