package alicert

import (
	"fmt"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"github.com/alicert/alicert/internal/signature"
	"github.com/google/go-querystring/query"
)

// Inputs describe their parameters with go-querystring's `url` struct tags,
// and go-querystring defines what those tags mean. Calling query.Values on
// every call, though, costs a reflection walk, a url.Values map and a string
// per field through fmt; it was most of the client's overhead over a
// hand-written request. So each input type gets an inputEncoder, built once
// per Client from the same tags, that appends the same parameters straight
// into a slice. It models only the tag forms whose go-querystring output is
// simple to reproduce exactly (see newInputEncoder); a type that uses
// anything else is encoded by go-querystring itself. TestInputEncoderMatchesQuery
// and the golden wire tests hold the two to the same output.

var (
	queryEncoderType = reflect.TypeFor[query.Encoder]()
	stringerType     = reflect.TypeFor[fmt.Stringer]()
	formatterType    = reflect.TypeFor[fmt.Formatter]()
	errorType        = reflect.TypeFor[error]()
)

// encoderCache maps an input type to its *inputEncoder. A Client owns one,
// so that no encoder outlives the clients that use it.
type encoderCache struct {
	m sync.Map // reflect.Type -> *inputEncoder
}

func (c *encoderCache) get(t reflect.Type) *inputEncoder {
	if e, ok := c.m.Load(t); ok {
		return e.(*inputEncoder)
	}
	e, _ := c.m.LoadOrStore(t, newInputEncoder(t))
	return e.(*inputEncoder)
}

// valueKind is a field (or list element) type whose go-querystring form is
// its plain text: fmt.Sprint of a value with no String, Error or Format
// method.
type valueKind int

const (
	kindString valueKind = iota
	kindInt
	kindUint
	kindBool
)

type fieldShape int

const (
	shapeValue   fieldShape = iota // one parameter
	shapeList                      // a slice: joined by del, or one parameter per element
	shapeEncoder                   // a query.Encoder writes its own parameters
)

// fieldEncoder is one exported, tagged field of an input struct.
type fieldEncoder struct {
	index     int
	name      string
	shape     fieldShape
	kind      valueKind // of the value, or of a list's elements
	omitEmpty bool
	boolInt   bool   // the "int" option: a bool is sent as 1 or 0
	del       string // a list's delimiter; "" sends one parameter per element
	numbered  bool   // the "numbered" option: name0, name1, ... for each element
}

// inputEncoder appends the parameters of one input type.
type inputEncoder struct {
	fields []fieldEncoder
	// viaQuery is set when the type uses a form the fields cannot model
	// (embedded or nested structs, pointers, times, floats, Stringers...):
	// go-querystring encodes it then.
	viaQuery bool
}

// newInputEncoder reads t's `url` tags the way go-querystring v1 does.
func newInputEncoder(t reflect.Type) *inputEncoder {
	if t.Kind() != reflect.Struct {
		return &inputEncoder{viaQuery: true}
	}
	e := &inputEncoder{}
	for i := range t.NumField() {
		sf := t.Field(i)
		if sf.Anonymous {
			return &inputEncoder{viaQuery: true}
		}
		tag := sf.Tag.Get("url")
		if !sf.IsExported() || tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = sf.Name
		}
		f, ok := newFieldEncoder(i, name, tagOptions(opts), sf)
		if !ok {
			return &inputEncoder{viaQuery: true}
		}
		e.fields = append(e.fields, f)
	}
	return e
}

func newFieldEncoder(index int, name string, opts tagOptions, sf reflect.StructField) (fieldEncoder, bool) {
	f := fieldEncoder{index: index, name: name, omitEmpty: opts.has("omitempty"), boolInt: opts.has("int")}
	t := sf.Type
	switch {
	case t.Implements(queryEncoderType):
		// go-querystring's emptiness test for a struct, and its handling of
		// nil pointers and interfaces, are left to go-querystring.
		f.shape = shapeEncoder
		return f, t.Kind() != reflect.Pointer && t.Kind() != reflect.Interface && !f.omitEmpty
	case t.Kind() == reflect.Slice:
		f.shape = shapeList
		switch {
		case opts.has("comma"):
			f.del = ","
		case opts.has("space"):
			f.del = " "
		case opts.has("semicolon"):
			f.del = ";"
		case opts.has("brackets"):
			f.name += "[]"
		default:
			f.del = sf.Tag.Get("del")
		}
		f.numbered = f.del == "" && opts.has("numbered")
		var ok bool
		f.kind, ok = plainKind(t.Elem())
		return f, ok
	}
	var ok bool
	f.kind, ok = plainKind(t)
	return f, ok
}

// plainKind reports whether fmt.Sprint of a t is its plain text, and which.
func plainKind(t reflect.Type) (valueKind, bool) {
	if t.Implements(stringerType) || t.Implements(formatterType) || t.Implements(errorType) ||
		t.Implements(queryEncoderType) {
		return 0, false
	}
	switch t.Kind() {
	case reflect.String:
		return kindString, true
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return kindInt, true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return kindUint, true
	case reflect.Bool:
		return kindBool, true
	}
	return 0, false
}

// tagOptions are the options after the name in a `url` tag.
type tagOptions string

func (o tagOptions) has(option string) bool {
	for s := range strings.SplitSeq(string(o), ",") {
		if s == option {
			return true
		}
	}
	return false
}

// appendParams appends the parameters of v, a value of the encoder's type.
func (e *inputEncoder) appendParams(dst []signature.Param, v reflect.Value) ([]signature.Param, error) {
	for i := range e.fields {
		f := &e.fields[i]
		fv := v.Field(f.index)
		if f.omitEmpty && isEmpty(fv) {
			continue
		}
		switch f.shape {
		case shapeValue:
			dst = append(dst, signature.Param{Key: f.name, Value: f.text(fv)})
		case shapeList:
			dst = f.appendList(dst, fv)
		case shapeEncoder:
			vals := url.Values{}
			if err := fv.Interface().(query.Encoder).EncodeValues(f.name, &vals); err != nil {
				return nil, err
			}
			dst = setParams(dst, vals)
		}
	}
	return dst, nil
}

func (f *fieldEncoder) appendList(dst []signature.Param, list reflect.Value) []signature.Param {
	n := list.Len()
	switch {
	case n == 0:
		return dst
	case f.del != "":
		var b strings.Builder
		if list.Type().Elem().Kind() == reflect.String {
			// Sized up front: one allocation for the joined value.
			size := len(f.del) * (n - 1)
			for i := range n {
				size += list.Index(i).Len()
			}
			b.Grow(size)
		}
		for i := range n {
			if i > 0 {
				b.WriteString(f.del)
			}
			b.WriteString(f.text(list.Index(i)))
		}
		return append(dst, signature.Param{Key: f.name, Value: b.String()})
	}
	for i := range n {
		key := f.name
		if f.numbered {
			key += strconv.Itoa(i)
		}
		dst = append(dst, signature.Param{Key: key, Value: f.text(list.Index(i))})
	}
	return dst
}

// text is go-querystring's valueString for a plain value.
func (f *fieldEncoder) text(v reflect.Value) string {
	switch f.kind {
	case kindInt:
		return strconv.FormatInt(v.Int(), 10)
	case kindUint:
		return strconv.FormatUint(v.Uint(), 10)
	case kindBool:
		switch {
		case !f.boolInt:
			return strconv.FormatBool(v.Bool())
		case v.Bool():
			return "1"
		default:
			return "0"
		}
	}
	return v.String()
}

// isEmpty is go-querystring's emptiness test for the kinds the fields model.
func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool:
		return !v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int() == 0
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return v.Uint() == 0
	}
	return false
}

// setParams sets each key of vals in params as url.Values.Set would: the
// key's earlier values go, vals' values take their place.
func setParams(params []signature.Param, vals url.Values) []signature.Param {
	for k, vs := range vals {
		params = deleteParam(params, k)
		for _, s := range vs {
			params = append(params, signature.Param{Key: k, Value: s})
		}
	}
	return params
}

func deleteParam(params []signature.Param, key string) []signature.Param {
	out := params[:0]
	for _, p := range params {
		if p.Key != key {
			out = append(out, p)
		}
	}
	clear(params[len(out):])
	return out
}

// encodeParams turns an input (a pointer to a struct) into request
// parameters: its `url`-tagged fields, then those its own encoder appends,
// which go-querystring cannot express on their own types.
func (c *Client) encodeParams(in any) ([]signature.Param, error) {
	v := reflect.ValueOf(in)
	for v.Kind() == reflect.Pointer && !v.IsNil() {
		v = v.Elem()
	}
	e := c.encoders.get(v.Type())
	var params []signature.Param
	if e.viaQuery {
		vals, err := query.Values(in)
		if err != nil {
			return nil, err
		}
		params = setParams(make([]signature.Param, 0, len(vals)), vals)
	} else {
		var err error
		// Room for a few parameters of the input's own encoder (tags, say).
		params, err = e.appendParams(make([]signature.Param, 0, len(e.fields)+4), v)
		if err != nil {
			return nil, err
		}
	}
	if x, ok := in.(extraEncoder); ok {
		var err error
		if params, err = x.encodeExtra(params); err != nil {
			return nil, err
		}
	}
	return params, nil
}

// appendTags sends tags as Tags.N.Key and Tags.N.Value, N from 1. The keys
// of the first tags come from a table built once, so that encoding an
// ordinary request's tags allocates nothing.
func appendTags(params []signature.Param, tags []Tag) []signature.Param {
	for i, t := range tags {
		key, value := tagKeys(i + 1)
		params = append(params, signature.Param{Key: key, Value: t.Key}, signature.Param{Key: value, Value: t.Value})
	}
	return params
}

// tagKeyTable holds the parameter names of tags 1 to 20, more than any
// operation accepts.
var tagKeyTable = func() (table [21][2]string) {
	for n := 1; n < len(table); n++ {
		table[n] = [2]string{"Tags." + strconv.Itoa(n) + ".Key", "Tags." + strconv.Itoa(n) + ".Value"}
	}
	return table
}()

// tagKeys returns the parameter names of tag n (from 1).
func tagKeys(n int) (key, value string) {
	if n < len(tagKeyTable) {
		return tagKeyTable[n][0], tagKeyTable[n][1]
	}
	s := strconv.Itoa(n)
	return "Tags." + s + ".Key", "Tags." + s + ".Value"
}
