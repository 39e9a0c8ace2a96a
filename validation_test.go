package alicert

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"unicode"

	"github.com/alicert/alicert/internal/testkit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// valCase is one input and the fields its ValidationError must name, in
// order.
type valCase struct {
	name   string
	call   func(context.Context, *Client) (any, error)
	fields []string
}

// valRefuse answers every request with an error: validation must stop
// every bad input before anything is sent, and a call that slipped through
// must be seen here, not reach a real service.
var valRefuse = testkit.Script(testkit.JSON(http.StatusTeapot, `{"Code":"ShouldNotBeCalled"}`))

// TestValClientReachesOnlyTheTestServer: every service of setup's client,
// Alidns included, sends to the test server.
func TestValClientReachesOnlyTheTestServer(t *testing.T) {
	t.Parallel()
	c, srv := setup(t, valRefuse)
	for _, svc := range []fmt.Stringer{c.CAS, c.KMS, c.DNS} {
		assert.Contains(t, svc.String(), srv.URL)
	}
}

// valRun runs each case against a fresh recording server and checks the
// ValidationError and that no output came with it, then that the server
// saw nothing.
func valRun(t *testing.T, operation string, cases []valCase) {
	t.Helper()
	c, srv := setup(t, valRefuse)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := tc.call(t.Context(), c)
			var ve *ValidationError
			require.True(t, errors.As(err, &ve), "want a *ValidationError, got %v", err)
			assert.Equal(t, operation, ve.Operation)
			got := make([]string, len(ve.Fields))
			for i, f := range ve.Fields {
				got[i] = f.Field
				assert.NotEmpty(t, f.Problem, "field %s has no problem text", f.Field)
				assert.Contains(t, err.Error(), f.Field+": "+f.Problem)
			}
			assert.Equal(t, tc.fields, got)
			assert.False(t, strings.ContainsFunc(err.Error(), valIsFormatChar), "the error echoes an invisible character: %+q", err.Error())
			assert.True(t, valIsNilOutput(out), "an output came back with a validation error: %#v", out)
		})
	}
	assert.Zero(t, srv.Attempts(), "an invalid input reached the server: %v", srv.Forms())
}

// valIsNilOutput reports whether out is nil or a nil pointer: a call that
// fails validation returns no output.
func valIsNilOutput(out any) bool {
	v := reflect.ValueOf(out)
	return out == nil || v.Kind() == reflect.Pointer && v.IsNil()
}

// valIsFormatChar reports whether r is an invisible formatting character
// (zero-width, bidirectional override): a ValidationError names one by its
// code point and never echoes it, or the message would not show what is
// wrong.
func valIsFormatChar(r rune) bool { return unicode.Is(unicode.Cf, r) }
