package alicert

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/alicert/alicert/internal/redact"
)

// hidden returns what %v shows in place of a secret field: nothing when it is
// empty, so that a reader can still tell whether it was set.
func hidden(secret string) string {
	if secret == "" {
		return ""
	}
	return redact.Placeholder
}

// formatHidden formats plain (a method-less copy of a value whose secrets
// are already hidden) as %+v, or as %#v under the exported type name.
func formatHidden(typeName string, plain any, goSyntax bool) string {
	if !goSyntax {
		return fmt.Sprintf("%+v", plain)
	}
	s := fmt.Sprintf("%#v", plain)
	if i := strings.IndexByte(s, '{'); i >= 0 {
		s = "alicert." + typeName + s[i:]
	}
	return s
}

// formatWith implements fmt.Formatter for a value with secrets: %#v gets the
// Go-syntax form and every other verb (%v, %s, %d, %x, ...) the plain one,
// both from describe, so that no verb reaches the secret fields.
func formatWith(f fmt.State, verb rune, describe func(goSyntax bool) string) {
	_, _ = io.WriteString(f, describe(verb == 'v' && f.Flag('#')))
}

// The outputs that hold a private key marshal to JSON with every field but
// the key, which is written as the placeholder (or "" when unset). Value
// receivers make this hold however the output is reached: by value or by
// pointer, in a struct, a slice or a map, and so also in log/slog's JSON
// handler, which marshals nested values with encoding/json. Decoding a
// response (json.Unmarshal) is not affected and fills the key.

// MarshalJSON writes o with PrivateKey hidden.
func (o DescribeCertificateStateOutput) MarshalJSON() ([]byte, error) {
	type plain DescribeCertificateStateOutput // without methods, so no recursion
	p := plain(o)
	p.PrivateKey = hidden(p.PrivateKey)
	return json.Marshal(p)
}

// MarshalJSON writes o with PrivateKey hidden.
func (o GetCsrDetailOutput) MarshalJSON() ([]byte, error) {
	type plain GetCsrDetailOutput
	p := plain(o)
	p.PrivateKey = hidden(p.PrivateKey)
	return json.Marshal(p)
}

// MarshalJSON writes o with PrivateKey hidden.
func (o ObtainOutput) MarshalJSON() ([]byte, error) {
	type plain ObtainOutput
	p := plain(o)
	p.PrivateKey = hidden(p.PrivateKey)
	return json.Marshal(p)
}

// MarshalJSON writes o with Key, EncryptPrivateKey and SignPrivateKey
// hidden.
func (o GetUserCertificateDetailOutput) MarshalJSON() ([]byte, error) {
	type plain GetUserCertificateDetailOutput
	return json.Marshal(plain(o.hideKeys()))
}

// hideKeys returns o with its private keys replaced by the placeholder.
func (o GetUserCertificateDetailOutput) hideKeys() GetUserCertificateDetailOutput {
	o.Key = hidden(o.Key)
	o.EncryptPrivateKey = hidden(o.EncryptPrivateKey)
	o.SignPrivateKey = hidden(o.SignPrivateKey)
	return o
}

// String formats o with its private keys hidden.
func (o GetUserCertificateDetailOutput) String() string { return o.format(false) }

// GoString formats o with its private keys hidden.
func (o GetUserCertificateDetailOutput) GoString() string { return o.format(true) }

// Format hides the private keys whatever the verb.
func (o GetUserCertificateDetailOutput) Format(f fmt.State, verb rune) { formatWith(f, verb, o.format) }

// LogValue hides the private keys from log/slog.
func (o GetUserCertificateDetailOutput) LogValue() slog.Value {
	return slog.StringValue(o.format(false))
}

func (o GetUserCertificateDetailOutput) format(goSyntax bool) string {
	type plain GetUserCertificateDetailOutput
	return formatHidden("GetUserCertificateDetailOutput", plain(o.hideKeys()), goSyntax)
}

// MarshalJSON writes in with Key hidden.
func (in UploadUserCertificateInput) MarshalJSON() ([]byte, error) {
	type plain UploadUserCertificateInput
	p := plain(in)
	p.Key = hidden(p.Key)
	return json.Marshal(p)
}

// String formats in with Key hidden.
func (in UploadUserCertificateInput) String() string { return in.format(false) }

// GoString formats in with Key hidden.
func (in UploadUserCertificateInput) GoString() string { return in.format(true) }

// Format hides Key whatever the verb.
func (in UploadUserCertificateInput) Format(f fmt.State, verb rune) { formatWith(f, verb, in.format) }

// LogValue hides Key from log/slog.
func (in UploadUserCertificateInput) LogValue() slog.Value { return slog.StringValue(in.format(false)) }

func (in UploadUserCertificateInput) format(goSyntax bool) string {
	type plain UploadUserCertificateInput
	p := plain(in)
	p.Key = hidden(p.Key)
	return formatHidden("UploadUserCertificateInput", p, goSyntax)
}

// obtainInputView is ObtainInput as formatting shows it: the key as its
// type only, the providers by type, the callback by whether it is set.
type obtainInputView struct {
	Domain         string
	ProductCode    string
	Username       string
	Phone          string
	Email          string
	Tags           []Tag
	ValidateType   ValidateType
	OrderID        int64
	DNS            string
	File           string
	PollInterval   time.Duration
	CleanupTimeout time.Duration
	MaxWait        time.Duration
	Progress       bool
	Key            string
}

func (in ObtainInput) view() obtainInputView {
	v := obtainInputView{
		Domain: in.Domain, ProductCode: in.ProductCode, Username: in.Username, Phone: in.Phone,
		Email: in.Email, Tags: in.Tags, ValidateType: in.ValidateType, OrderID: in.OrderID,
		PollInterval: in.PollInterval, CleanupTimeout: in.CleanupTimeout, MaxWait: in.MaxWait, Progress: in.Progress != nil,
	}
	if in.DNS != nil {
		v.DNS = fmt.Sprintf("%T", in.DNS)
	}
	if in.File != nil {
		v.File = fmt.Sprintf("%T", in.File)
	}
	if in.Key != nil {
		// The type says which kind of key; the value may hold the private
		// key's numbers, which formatting must never reach.
		v.Key = fmt.Sprintf("%T %s", in.Key, redact.Placeholder)
	}
	return v
}

// String formats in with Key hidden (an in-memory private key).
func (in ObtainInput) String() string { return formatHidden("ObtainInput", in.view(), false) }

// GoString formats in with Key hidden.
func (in ObtainInput) GoString() string { return formatHidden("ObtainInput", in.view(), true) }

// Format hides Key whatever the verb.
func (in ObtainInput) Format(f fmt.State, verb rune) {
	formatWith(f, verb, func(goSyntax bool) string { return formatHidden("ObtainInput", in.view(), goSyntax) })
}

// LogValue hides Key from log/slog.
func (in ObtainInput) LogValue() slog.Value { return slog.StringValue(in.String()) }

// MarshalJSON writes in with Key as its type only: json.Marshal of an
// *ecdsa.PrivateKey would write the private scalar.
func (in ObtainInput) MarshalJSON() ([]byte, error) { return json.Marshal(in.view()) }
