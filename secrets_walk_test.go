package alicert_test

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"log/slog"
	"net/url"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/alicerttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The walk in this file finds every exported type of package alicert and
// alicerttest with a field that can hold a key or a secret, and checks
// that no way of printing, logging or marshalling it shows that secret.
//
// Which fields hold a secret is decided here, apart from the code under
// test: a field whose name matches swSecretName, minus the fields
// swNotSecret lists with the reason, plus those swAlsoSecret lists. The
// code marks the same fields with the tag redact:"secret"; the walk fails
// when the two disagree, and when a type with such a field lacks one of
// the hiding methods.

// swSecretName matches the name of a field that can hold a key or secret.
var swSecretName = regexp.MustCompile(`(?i)^(key|.*privatekey|.*secret.*|.*token|.*password|.*passphrase)$`)

// swNotSecret are fields whose name matches swSecretName but which hold no
// secret.
var swNotSecret = map[string]string{
	"alicert.Tag.Key":                                  "a tag's name",
	"alicert.ResourceTag.Key":                          "a tag's name",
	"alicert.PCATag.Key":                               "a tag's name",
	"alicert.CreateRootCACertificateInput.ClientToken": "an idempotence token of the caller's choice, not a credential",
	"alicert.CreateSubCACertificateInput.ClientToken":  "an idempotence token of the caller's choice, not a credential",
	"alicert.ListCloudResourcesInput.SecretID":         "the AccessKey id, not the secret, of another cloud's account",
}

// swAlsoSecret are fields that hold a secret though their name does not say
// so (none today).
var swAlsoSecret = map[string]string{}

// swRoots are the types the walk starts from: every exported type reachable
// from their methods' parameters and results and from their fields is
// found.
var swRoots = []reflect.Type{
	reflect.TypeFor[*alicert.Client](),
	reflect.TypeFor[*alicert.CASService](),
	reflect.TypeFor[*alicert.KMSService](),
	reflect.TypeFor[*alicert.DNSService](),
	reflect.TypeFor[*alicert.KMSSigner](),
	reflect.TypeFor[*alicerttest.Server](),
	reflect.TypeFor[*alicert.AlidnsProvider](),
	reflect.TypeFor[*alicert.ValidationError](),
	reflect.TypeFor[*alicert.APIError](),
	reflect.TypeFor[*alicert.IssuedCertificateError](),
	reflect.TypeFor[alicert.DeployEvent](),
	reflect.TypeFor[alicert.ObtainEvent](),
	reflect.TypeFor[alicerttest.SeedCertificate](),
	reflect.TypeFor[alicerttest.CloudResource](),
	reflect.TypeFor[*alicerttest.State](),
}

// swReachable returns every named type of package alicert or alicerttest
// reachable from swRoots, by its name ("alicert.ObtainInput").
func swReachable() map[string]reflect.Type {
	found := map[string]reflect.Type{}
	var visit func(t reflect.Type)
	visit = func(t reflect.Type) {
		switch t.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Array:
			visit(t.Elem())
			return
		case reflect.Map:
			visit(t.Key())
			visit(t.Elem())
			return
		}
		if !strings.HasPrefix(t.PkgPath(), "github.com/alicert/alicert") || t.Name() == "" {
			return
		}
		if _, seen := found[t.String()]; seen {
			return
		}
		found[t.String()] = t
		for _, mt := range []reflect.Type{t, reflect.PointerTo(t)} {
			for i := range mt.NumMethod() {
				ft := mt.Method(i).Type
				for j := range ft.NumIn() {
					visit(ft.In(j))
				}
				for j := range ft.NumOut() {
					visit(ft.Out(j))
				}
			}
		}
		if t.Kind() == reflect.Struct {
			for i := range t.NumField() {
				if t.Field(i).IsExported() {
					visit(t.Field(i).Type)
				}
			}
		}
		if t.Kind() == reflect.Func {
			for j := range t.NumIn() {
				visit(t.In(j))
			}
		}
	}
	for _, r := range swRoots {
		visit(r)
	}
	return found
}

// swDeclaredStructs lists the exported struct types declared in the
// non-test files of dir, as "<pkg>.<Name>".
func swDeclaredStructs(t *testing.T, dir, pkg string) []string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*.go"))
	require.NoError(t, err)
	var names []string
	fset := token.NewFileSet()
	for _, p := range paths {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution)
		require.NoError(t, err)
		for _, decl := range f.Decls {
			gen, ok := decl.(*ast.GenDecl)
			if !ok || gen.Tok != token.TYPE {
				continue
			}
			for _, spec := range gen.Specs {
				ts := spec.(*ast.TypeSpec)
				if _, isStruct := ts.Type.(*ast.StructType); isStruct && ts.Name.IsExported() {
					names = append(names, pkg+"."+ts.Name.Name)
				}
			}
		}
	}
	return names
}

// swCanHoldSecret reports whether a field of type t can hold a secret's
// value: a string, bytes, or an interface (such as a crypto.Signer).
func swCanHoldSecret(t reflect.Type) bool {
	return t.Kind() == reflect.String || t.Kind() == reflect.Interface ||
		(t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8)
}

// swSecretFields returns the fields of struct type t that hold a secret,
// by the rule of this file.
func swSecretFields(t reflect.Type) []string {
	var out []string
	for i := range t.NumField() {
		f := t.Field(i)
		name := t.String() + "." + f.Name
		if !f.IsExported() || !swCanHoldSecret(f.Type) {
			continue
		}
		if _, ok := swAlsoSecret[name]; ok {
			out = append(out, f.Name)
			continue
		}
		if _, ok := swNotSecret[name]; !ok && swSecretName.MatchString(f.Name) {
			out = append(out, f.Name)
		}
	}
	return out
}

// swSecretTypes returns every exported struct type of alicert and
// alicerttest with a secret field, with those fields. It fails the test
// when such a type is declared but not reachable from swRoots (so that it
// could not be walked), and when swNotSecret or swAlsoSecret names a field
// that no longer exists.
func swSecretTypes(t *testing.T) map[reflect.Type][]string {
	t.Helper()
	reachable := swReachable()
	declared := append(swDeclaredStructs(t, ".", "alicert"), swDeclaredStructs(t, "alicerttest", "alicerttest")...)
	known := map[string]bool{}
	out := map[reflect.Type][]string{}
	for _, name := range declared {
		typ, ok := reachable[name]
		if !ok {
			t.Errorf("%s is exported but the walk does not reach it: add it (or a type leading to it) to swRoots", name)
			continue
		}
		for i := range typ.NumField() {
			known[name+"."+typ.Field(i).Name] = true
		}
		if fields := swSecretFields(typ); len(fields) > 0 {
			out[typ] = fields
		}
	}
	for _, list := range []map[string]string{swNotSecret, swAlsoSecret} {
		for name := range list {
			if !known[name] {
				t.Errorf("%s is listed in this file but is no field of an exported type: remove it", name)
			}
		}
	}
	require.NotEmpty(t, out, "the walk found no type holding a secret: it is broken")
	return out
}

// swMarker is the secret every secret field is filled with: a PEM private
// key with a distinctive body.
const swMarkerBody = "MIGHAgEAswWalkMarkerSecretBody7Qk9fZ3neverPrint"

const swMarker = "-----BEGIN PRIVATE KEY-----\n" + swMarkerBody + "\n-----END PRIVATE KEY-----\n"

// swSigner is the key every secret interface field (a crypto.Signer) holds.
var swSigner = func() *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	return k
}()

// swForbidden are the encodings of the secrets that no output may hold:
// the marker's body raw, percent- and form-encoded, in hex, and in base64 at
// each of the three alignments it can take inside a longer text; and the
// private scalar of swSigner in decimal, hex and base64.
var swForbidden = func() []string {
	body := swMarkerBody
	out := []string{body, url.QueryEscape(body), url.PathEscape(body),
		hex.EncodeToString([]byte(body))[:24], strings.ToUpper(hex.EncodeToString([]byte(body))[:24])}
	for k := range 3 {
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding} {
			out = append(out, enc.EncodeToString([]byte(body[k:]))[:24])
		}
	}
	d := swSigner.D
	raw := d.FillBytes(make([]byte, 32))
	return append(out, d.String()[:24], d.Text(16)[:24], strings.ToUpper(d.Text(16)[:24]),
		base64.StdEncoding.EncodeToString(raw)[:24], hex.EncodeToString(raw)[:24])
}()

// swRequireNoSecret fails when text holds an encoding of a secret.
func swRequireNoSecret(t *testing.T, label, text string) {
	t.Helper()
	for _, f := range swForbidden {
		if strings.Contains(text, f) {
			t.Fatalf("%s shows a secret (%q): %.800s", label, f, text)
		}
	}
}

// swFill sets every exported field of the struct v points to: the fields
// named in secret to the marker (a string) or swSigner (an interface), the
// others to a value of their type, recursively.
func swFill(v reflect.Value, secret []string, depth int) {
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		fv := v.Field(i)
		if slices.Contains(secret, f.Name) {
			swFillSecret(fv)
			continue
		}
		swFillValue(fv, f.Name, depth)
	}
}

func swFillSecret(fv reflect.Value) {
	switch {
	case fv.Kind() == reflect.String:
		fv.SetString(swMarker)
	case fv.Kind() == reflect.Slice:
		fv.SetBytes([]byte(swMarker))
	case reflect.TypeFor[*ecdsa.PrivateKey]().Implements(fv.Type()):
		fv.Set(reflect.ValueOf(swSigner))
	}
}

// swFillValue gives fv an ordinary value of its type (no secret).
func swFillValue(fv reflect.Value, name string, depth int) {
	if depth > 4 {
		return
	}
	switch fv.Kind() {
	case reflect.String:
		fv.SetString("v-" + name)
	case reflect.Bool:
		fv.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if fv.Type() != reflect.TypeFor[time.Duration]() {
			fv.SetInt(7)
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		fv.SetUint(7)
	case reflect.Struct:
		if fv.Type() == reflect.TypeFor[time.Time]() {
			fv.Set(reflect.ValueOf(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)))
			return
		}
		swFill(fv, swSecretFields(fv.Type()), depth+1)
	case reflect.Pointer:
		if fv.Type().Elem().Kind() == reflect.Struct && strings.HasPrefix(fv.Type().Elem().PkgPath(), "github.com/alicert/") {
			p := reflect.New(fv.Type().Elem())
			swFillValue(p.Elem(), name, depth+1)
			fv.Set(p)
		}
	case reflect.Slice:
		s := reflect.MakeSlice(fv.Type(), 1, 1)
		swFillValue(s.Index(0), name, depth+1)
		fv.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(fv.Type())
		k, e := reflect.New(fv.Type().Key()).Elem(), reflect.New(fv.Type().Elem()).Elem()
		swFillValue(k, name, depth+1)
		swFillValue(e, name, depth+1)
		m.SetMapIndex(k, e)
		fv.Set(m)
	}
}

// swNestings returns v (a value of type t) by value and by pointer, in
// exported value, pointer, slice and map fields of a caller's struct, in
// slices and maps, and deeper.
func swNestings(v reflect.Value) map[string]any {
	t := v.Type()
	ptr := reflect.New(t)
	ptr.Elem().Set(v)
	holder := func(ft reflect.Type, fv reflect.Value) any {
		h := reflect.New(reflect.StructOf([]reflect.StructField{
			{Name: "Name", Type: reflect.TypeFor[string]()}, {Name: "Out", Type: ft}})).Elem()
		h.Field(0).SetString("caller")
		h.Field(1).Set(fv)
		return h.Interface()
	}
	slice := reflect.MakeSlice(reflect.SliceOf(t), 0, 2)
	slice = reflect.Append(slice, v, v)
	ptrSlice := reflect.Append(reflect.MakeSlice(reflect.SliceOf(ptr.Type()), 0, 1), ptr)
	m := reflect.MakeMap(reflect.MapOf(reflect.TypeFor[string](), t))
	m.SetMapIndex(reflect.ValueOf("k"), v)
	pm := reflect.MakeMap(reflect.MapOf(reflect.TypeFor[string](), ptr.Type()))
	pm.SetMapIndex(reflect.ValueOf("k"), ptr)
	inStruct := holder(t, v)
	return map[string]any{
		"value":                  v.Interface(),
		"pointer":                ptr.Interface(),
		"exported value field":   inStruct,
		"exported pointer field": holder(ptr.Type(), ptr),
		"exported slice field":   holder(slice.Type(), slice),
		"exported map field":     holder(pm.Type(), pm),
		"slice":                  slice.Interface(),
		"slice of pointers":      ptrSlice.Interface(),
		"map":                    m.Interface(),
		"map of pointers":        pm.Interface(),
		"pointer to a holder":    &inStruct,
		"deep":                   map[string][]any{"k": {[]any{inStruct}}},
	}
}

// swVerbs are the fmt verbs every value is printed with.
var swVerbs = []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10.4v", "%-8s"}

// swRenderings prints x in every way the walk checks, by label.
func swRenderings(x any) map[string]string {
	out := map[string]string{}
	for _, verb := range swVerbs {
		out[verb] = fmt.Sprintf(verb, x)
	}
	out["Println"] = fmt.Sprintln(x, x)
	out["Sprint"] = fmt.Sprint(x)
	for name, h := range map[string]func(*bytes.Buffer) slog.Handler{
		"slog text": func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
		"slog JSON": func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
	} {
		var buf bytes.Buffer
		slog.New(h(&buf)).Info("walk", "x", x, slog.Group("g", slog.Any("y", x)))
		out[name] = buf.String()
	}
	b, err := json.Marshal(x)
	if err != nil {
		out["json.Marshal"] = "error: " + err.Error()
	} else {
		out["json.Marshal"] = string(b)
	}
	return out
}

// swHidingMethods are the methods a type holding a secret must have, by
// value receiver so that they hold however the value is reached.
var swHidingMethods = map[string]reflect.Type{
	"String":      reflect.TypeFor[fmt.Stringer](),
	"GoString":    reflect.TypeFor[fmt.GoStringer](),
	"Format":      reflect.TypeFor[fmt.Formatter](),
	"LogValue":    reflect.TypeFor[slog.LogValuer](),
	"MarshalJSON": reflect.TypeFor[json.Marshaler](),
}

// TestEveryKeyHoldingTypeHidesItEverywhere is the one walk over the
// exported types: each type with a field that can hold a key or secret
// has every hiding method, tags exactly those fields redact:"secret", and,
// with each such field holding a secret, shows none of it through any fmt
// verb, Println, Sprint, slog's text and JSON handlers or json.Marshal,
// by value, by pointer and nested in a caller's exported fields, slices
// and maps.
func TestEveryKeyHoldingTypeHidesItEverywhere(t *testing.T) {
	t.Parallel()
	for typ, fields := range swSecretTypes(t) {
		t.Run(typ.String(), func(t *testing.T) {
			t.Parallel()
			for name, iface := range swHidingMethods {
				if !typ.Implements(iface) {
					t.Errorf("%s holds a secret (%v) but has no %s method with a value receiver; give it the hiding methods of redacted.go",
						typ, fields, name)
				}
			}
			for i := range typ.NumField() {
				f := typ.Field(i)
				tagged := f.Tag.Get("redact") == "secret"
				if tagged != slices.Contains(fields, f.Name) {
					t.Errorf("%s.%s: tagged redact:\"secret\" is %v, but the walk's rule says secret is %v: tag it, or list it in swNotSecret with the reason",
						typ, f.Name, tagged, !tagged)
				}
			}
			if t.Failed() {
				return
			}
			v := reflect.New(typ).Elem()
			swFill(v, fields, 0)
			for how, x := range swNestings(v) {
				for label, text := range swRenderings(x) {
					swRequireNoSecret(t, typ.String()+" "+how+" "+label, text)
				}
			}
			s := fmt.Sprint(v.Interface())
			assert.Contains(t, s, "[redacted]", "a reader can tell the secret is set: %s", s)
		})
	}
}

// TestHidingLeavesTheSecretReadable: hiding a key from formatting does not
// hide it from the program, which needs it to install the certificate.
func TestHidingLeavesTheSecretReadable(t *testing.T) {
	t.Parallel()
	for typ, fields := range swSecretTypes(t) {
		v := reflect.New(typ).Elem()
		swFill(v, fields, 0)
		_ = fmt.Sprintf("%v %+v %#v", v.Interface(), v.Interface(), v.Interface())
		_, _ = json.Marshal(v.Interface())
		for _, name := range fields {
			got := v.FieldByName(name).Interface()
			switch got := got.(type) {
			case string:
				assert.Equal(t, swMarker, got, "%s.%s", typ, name)
			case crypto.Signer:
				assert.Same(t, swSigner, got, "%s.%s", typ, name)
			}
		}
	}
}

// TestUnexportedFieldsAreBeyondHidingMethods shows the limit SECURITY.md
// documents: fmt prints an unexported field without calling its methods,
// so a key reached through one is printed whole by %v, %+v, %#v and slog's
// text handler, and a pointer there prints its pointee under %s. Clearing
// the key once it is written (the remedy SECURITY.md gives) leaves nothing
// to print; holding the output in an exported field hides it.
func TestUnexportedFieldsAreBeyondHidingMethods(t *testing.T) {
	t.Parallel()
	out := alicert.ObtainOutput{OrderID: 7, Certificate: "CERT-PEM", PrivateKey: swMarker}
	type byValue struct{ out alicert.ObtainOutput }
	type byPointer struct{ out *alicert.ObtainOutput }
	type exported struct{ Out alicert.ObtainOutput }
	slogText := func(x any) string {
		var buf bytes.Buffer
		slog.New(slog.NewTextHandler(&buf, nil)).Info("m", "x", x)
		return buf.String()
	}
	slogJSON := func(x any) string {
		var buf bytes.Buffer
		slog.New(slog.NewJSONHandler(&buf, nil)).Info("m", "x", x)
		return buf.String()
	}

	// The documented limit: the key shows.
	held := byValue{out}
	for _, verb := range []string{"%v", "%+v", "%#v"} {
		assert.Contains(t, fmt.Sprintf(verb, held), swMarkerBody, "%s of an unexported field: fmt calls no method", verb)
	}
	assert.Contains(t, slogText(held), swMarkerBody, "slog's text handler formats with fmt")
	verbS := "%s" // a variable: vet rightly warns of %s with a struct
	assert.Contains(t, fmt.Sprintf(verbS, byPointer{&out}), swMarkerBody, "%s prints the pointee of an unexported pointer", verbS)
	assert.NotContains(t, slogJSON(held), swMarkerBody, "the JSON handler leaves unexported fields out")

	// The remedies: an exported field, or the key cleared once written.
	swRequireNoSecret(t, "exported field", fmt.Sprintf("%+v %#v %s", exported{out}, exported{out}, slogText(exported{out})))
	cleared := out
	cleared.PrivateKey = ""
	for _, x := range []any{byValue{cleared}, byPointer{&cleared}} {
		swRequireNoSecret(t, "cleared key", fmt.Sprintf("%v %+v %#v", x, x, x)+fmt.Sprintf(verbS, x)+slogText(x))
	}
}
