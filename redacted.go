package alicert

import (
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"strings"
	"time"

	"github.com/alicert/alicert/internal/redact"
)

// Every type that holds a secret or a private key says which fields are
// secret with the struct tag redact:"secret", and gets its five hiding
// methods, all in this file, from the one helper below (hidingView):
//
//   - String and GoString, for %v, %+v, %s and %#v;
//   - Format, for every other verb (%d or %x of a struct would otherwise
//     print its fields' bytes);
//   - LogValue, for log/slog, whose JSON handler would otherwise marshal
//     every field;
//   - MarshalJSON, for json.Marshal and so for slog's JSON handler at any
//     depth.
//
// Value receivers make this hold however the value is reached: by value or
// by pointer, in an exported field of a struct, a slice or a map. What fmt
// reaches through an unexported field it prints without calling any method;
// SECURITY.md says so and what to do instead. Decoding a response
// (json.Unmarshal) is not affected and fills the secret fields.

// secretTag is the struct tag that marks a field as secret.
const secretTag = "redact"

// hidden returns what is shown in place of a secret string: nothing when it
// is empty, so that a reader can still tell whether it was set.
func hidden(secret string) string {
	if secret == "" {
		return ""
	}
	return redact.Placeholder
}

// certChainType is the type of a parsed chain, summarised by formatting.
var certChainType = reflect.TypeFor[[]*x509.Certificate]()

// hidingView returns a copy of v (a struct) as a struct of a type without
// methods, so that formatting it cannot recurse, in which:
//   - a field tagged redact:"secret" is a string: the placeholder when set
//     (a key held in an interface, such as a crypto.Signer, as its type and
//     the placeholder, since its value may hold the private numbers);
//   - another interface field is its dynamic type, since its value (a DNS
//     provider, say) may hold credentials of its own;
//   - a func field is whether it is set;
//   - for fmt (not forJSON), a certificate chain is summarised, one line
//     per certificate;
//   - every other exported field is kept as it is. Unexported fields are
//     left out.
func hidingView(v any, forJSON bool) any {
	rv := reflect.ValueOf(v)
	t := rv.Type()
	var fields []reflect.StructField
	var values []reflect.Value
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		val := hidingField(f, rv.Field(i), forJSON)
		fields = append(fields, reflect.StructField{Name: f.Name, Type: val.Type(), Tag: f.Tag})
		values = append(values, val)
	}
	view := reflect.New(reflect.StructOf(fields)).Elem()
	for i, val := range values {
		view.Field(i).Set(val)
	}
	return view.Interface()
}

// hidingField returns the value field f (holding fv) takes in a hidingView.
func hidingField(f reflect.StructField, fv reflect.Value, forJSON bool) reflect.Value {
	switch {
	case f.Tag.Get(secretTag) == "secret" && fv.Kind() == reflect.String:
		return reflect.ValueOf(hidden(fv.String()))
	case f.Tag.Get(secretTag) == "secret":
		if fv.IsZero() {
			return reflect.ValueOf("")
		}
		return reflect.ValueOf(dynamicType(fv) + " " + redact.Placeholder)
	case fv.Kind() == reflect.Interface:
		return reflect.ValueOf(dynamicType(fv))
	case fv.Kind() == reflect.Func:
		return reflect.ValueOf(!fv.IsNil())
	case !forJSON && f.Type == certChainType:
		return reflect.ValueOf(summariseChain(fv.Interface().([]*x509.Certificate)))
	default:
		return fv
	}
}

// dynamicType names the type held by an interface value ("" when nil).
func dynamicType(fv reflect.Value) string {
	if fv.Kind() == reflect.Interface && fv.IsNil() {
		return ""
	}
	if fv.Kind() == reflect.Interface {
		fv = fv.Elem()
	}
	return fv.Type().String()
}

// summariseChain shows each certificate by its subject and expiry.
func summariseChain(chain []*x509.Certificate) []string {
	var lines []string
	for _, c := range chain {
		if c != nil {
			lines = append(lines, fmt.Sprintf("%s (until %s)", c.Subject, c.NotAfter.UTC().Format(time.RFC3339)))
		}
	}
	return lines
}

// hiddenText formats v's hidingView as %+v, or as %#v under v's own type
// name (the view's type is an unnamed struct).
func hiddenText(v any, goSyntax bool) string {
	view := hidingView(v, false)
	if !goSyntax {
		return fmt.Sprintf("%+v", view)
	}
	s := strings.TrimPrefix(fmt.Sprintf("%#v", view), reflect.TypeOf(view).String())
	return "alicert." + reflect.TypeOf(v).Name() + s
}

// The generic helpers each hiding method calls.

func hiddenString(v any) string { return hiddenText(v, false) }

func hiddenGoString(v any) string { return hiddenText(v, true) }

// hiddenFormat gives %#v the Go-syntax form and every other verb (%v, %s,
// %d, %x, ...) the plain one, so that no verb reaches a secret field.
func hiddenFormat(f fmt.State, verb rune, v any) {
	_, _ = io.WriteString(f, hiddenText(v, verb == 'v' && f.Flag('#')))
}

func hiddenLogValue(v any) slog.Value { return slog.StringValue(hiddenText(v, false)) }

func hiddenJSON(v any) ([]byte, error) { return json.Marshal(hidingView(v, true)) }

// String formats o with PrivateKey hidden.
func (o DescribeCertificateStateOutput) String() string { return hiddenString(o) }

// GoString formats o with PrivateKey hidden.
func (o DescribeCertificateStateOutput) GoString() string { return hiddenGoString(o) }

// Format formats o with PrivateKey hidden whatever the verb.
func (o DescribeCertificateStateOutput) Format(f fmt.State, verb rune) { hiddenFormat(f, verb, o) }

// LogValue hides PrivateKey from log/slog.
func (o DescribeCertificateStateOutput) LogValue() slog.Value { return hiddenLogValue(o) }

// MarshalJSON writes o with PrivateKey hidden.
func (o DescribeCertificateStateOutput) MarshalJSON() ([]byte, error) { return hiddenJSON(o) }

// String formats o with PrivateKey hidden.
func (o GetCsrDetailOutput) String() string { return hiddenString(o) }

// GoString formats o with PrivateKey hidden.
func (o GetCsrDetailOutput) GoString() string { return hiddenGoString(o) }

// Format formats o with PrivateKey hidden whatever the verb.
func (o GetCsrDetailOutput) Format(f fmt.State, verb rune) { hiddenFormat(f, verb, o) }

// LogValue hides PrivateKey from log/slog.
func (o GetCsrDetailOutput) LogValue() slog.Value { return hiddenLogValue(o) }

// MarshalJSON writes o with PrivateKey hidden.
func (o GetCsrDetailOutput) MarshalJSON() ([]byte, error) { return hiddenJSON(o) }

// String formats o with PrivateKey hidden and Chain summarised.
func (o ObtainOutput) String() string { return hiddenString(o) }

// GoString formats o with PrivateKey hidden and Chain summarised.
func (o ObtainOutput) GoString() string { return hiddenGoString(o) }

// Format formats o with PrivateKey hidden whatever the verb.
func (o ObtainOutput) Format(f fmt.State, verb rune) { hiddenFormat(f, verb, o) }

// LogValue hides PrivateKey from log/slog.
func (o ObtainOutput) LogValue() slog.Value { return hiddenLogValue(o) }

// MarshalJSON writes o with PrivateKey hidden.
func (o ObtainOutput) MarshalJSON() ([]byte, error) { return hiddenJSON(o) }

// String formats o with Key, EncryptPrivateKey and SignPrivateKey hidden.
func (o GetUserCertificateDetailOutput) String() string { return hiddenString(o) }

// GoString formats o with its private keys hidden.
func (o GetUserCertificateDetailOutput) GoString() string { return hiddenGoString(o) }

// Format formats o with its private keys hidden whatever the verb.
func (o GetUserCertificateDetailOutput) Format(f fmt.State, verb rune) { hiddenFormat(f, verb, o) }

// LogValue hides the private keys from log/slog.
func (o GetUserCertificateDetailOutput) LogValue() slog.Value { return hiddenLogValue(o) }

// MarshalJSON writes o with its private keys hidden.
func (o GetUserCertificateDetailOutput) MarshalJSON() ([]byte, error) { return hiddenJSON(o) }

// String formats in with Key hidden.
func (in UploadUserCertificateInput) String() string { return hiddenString(in) }

// GoString formats in with Key hidden.
func (in UploadUserCertificateInput) GoString() string { return hiddenGoString(in) }

// Format formats in with Key hidden whatever the verb.
func (in UploadUserCertificateInput) Format(f fmt.State, verb rune) { hiddenFormat(f, verb, in) }

// LogValue hides Key from log/slog.
func (in UploadUserCertificateInput) LogValue() slog.Value { return hiddenLogValue(in) }

// MarshalJSON writes in with Key hidden.
func (in UploadUserCertificateInput) MarshalJSON() ([]byte, error) { return hiddenJSON(in) }

// String formats in with Key as its type only, the providers by type and
// Progress by whether it is set.
func (in ObtainInput) String() string { return hiddenString(in) }

// GoString formats in as String does, in Go syntax.
func (in ObtainInput) GoString() string { return hiddenGoString(in) }

// Format formats in with Key hidden whatever the verb.
func (in ObtainInput) Format(f fmt.State, verb rune) { hiddenFormat(f, verb, in) }

// LogValue hides Key from log/slog.
func (in ObtainInput) LogValue() slog.Value { return hiddenLogValue(in) }

// MarshalJSON writes in with Key as its type only: json.Marshal of an
// *ecdsa.PrivateKey would write the private scalar.
func (in ObtainInput) MarshalJSON() ([]byte, error) { return hiddenJSON(in) }

// String formats in with Key as its type only, and Obtained's private key
// hidden.
func (in UploadObtainedInput) String() string { return hiddenString(in) }

// GoString formats in as String does, in Go syntax.
func (in UploadObtainedInput) GoString() string { return hiddenGoString(in) }

// Format formats in with Key hidden whatever the verb.
func (in UploadObtainedInput) Format(f fmt.State, verb rune) { hiddenFormat(f, verb, in) }

// LogValue hides Key from log/slog.
func (in UploadObtainedInput) LogValue() slog.Value { return hiddenLogValue(in) }

// MarshalJSON writes in with Key as its type only.
func (in UploadObtainedInput) MarshalJSON() ([]byte, error) { return hiddenJSON(in) }
