package alicert

import (
	"fmt"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"github.com/alicert/alicert/internal/signature"
)

// Inputs describe their parameters with `url` struct tags, in the tag
// language of go-querystring v1 (query.Values): the name, then the options
// omitempty, int, comma, space, semicolon, brackets and numbered, and a
// `del` tag. Each input type gets an inputEncoder, built once per Client from
// its tags, that appends the parameters straight into a slice: no reflection
// walk of the tags, no url.Values map and no fmt per field on each call,
// which is what keeps a call at the cost of a hand-written request (see
// BENCHMARKS.md). It is the only encoder. The field types it takes are
// listed at newFieldEncoder; a type with any other field is refused with an
// error naming each such field, and TestEveryInputEncodes builds the encoder
// of every operation's input, so such a type cannot ship.

// valuesEncoder is a field type that writes its own parameters, such as
// Subject. It is go-querystring's query.Encoder, so that the same types keep
// working with it.
type valuesEncoder interface {
	EncodeValues(key string, v *url.Values) error
}

var (
	valuesEncoderType = reflect.TypeFor[valuesEncoder]()
	stringerType      = reflect.TypeFor[fmt.Stringer]()
	formatterType     = reflect.TypeFor[fmt.Formatter]()
	errorType         = reflect.TypeFor[error]()
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

// valueKind is a field (or list element) type whose parameter is its plain
// text: a string, an integer or a bool with no String, Error, Format or
// EncodeValues method of its own.
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
	shapeEncoder                   // a valuesEncoder writes its own parameters
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
	// err, when set, names the fields whose type the encoder does not take;
	// every call with this type fails with it before anything is sent.
	err error
}

// newInputEncoder reads the `url` tags of t, a struct type.
func newInputEncoder(t reflect.Type) *inputEncoder {
	if t.Kind() != reflect.Struct {
		return &inputEncoder{err: fmt.Errorf("%s is not a struct", t)}
	}
	e := &inputEncoder{}
	var refused []string
	for i := range t.NumField() {
		sf := t.Field(i)
		tag := sf.Tag.Get("url")
		if sf.Anonymous {
			refused = append(refused, sf.Name+" (embedded)")
			continue
		}
		if !sf.IsExported() || tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = sf.Name
		}
		f, ok := newFieldEncoder(i, name, tagOptions(opts), sf)
		if !ok {
			refused = append(refused, fmt.Sprintf("%s (%s, tag %q)", sf.Name, sf.Type, tag))
			continue
		}
		e.fields = append(e.fields, f)
	}
	if len(refused) > 0 {
		return &inputEncoder{err: fmt.Errorf("%s: the encoder takes no field of these forms: %s "+
			"(it takes strings, integers and bools, slices of them, and types with an EncodeValues method)",
			t, strings.Join(refused, ", "))}
	}
	return e
}

// newFieldEncoder reads one field's tag. It takes a string, integer or bool
// (named or not), a slice of those, or a struct or other non-pointer type
// with an EncodeValues method and no omitempty, and reports false for
// anything else: pointers, interfaces, nested or embedded structs, maps,
// arrays, floats, times, and types with their own String, Error or Format
// method, whose text the encoder would have to guess.
func newFieldEncoder(index int, name string, opts tagOptions, sf reflect.StructField) (fieldEncoder, bool) {
	f := fieldEncoder{index: index, name: name, omitEmpty: opts.has("omitempty"), boolInt: opts.has("int")}
	t := sf.Type
	switch {
	case t.Implements(valuesEncoderType):
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
		t.Implements(valuesEncoderType) {
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
			if err := fv.Interface().(valuesEncoder).EncodeValues(f.name, &vals); err != nil {
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

// text is the parameter of a plain value.
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

// isEmpty is omitempty's test for the kinds the fields take.
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
// parameters: its `url`-tagged fields, then those its own encodeExtra
// appends, which a tag cannot express.
func (c *Client) encodeParams(in any) ([]signature.Param, error) {
	v := reflect.ValueOf(in)
	for v.Kind() == reflect.Pointer && !v.IsNil() {
		v = v.Elem()
	}
	e := c.encoders.get(v.Type())
	if e.err != nil {
		return nil, e.err
	}
	// Room for a few parameters of the input's own encoder (tags, say).
	params, err := e.appendParams(make([]signature.Param, 0, len(e.fields)+4), v)
	if err != nil {
		return nil, err
	}
	if x, ok := in.(extraEncoder); ok {
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

// appendNumbered appends list as name.1, name.2, ...: the official client's
// flattening of a repeated parameter (darabonba's Query).
func appendNumbered(params []signature.Param, name string, list []string) []signature.Param {
	for i, v := range list {
		params = append(params, signature.Param{Key: name + "." + strconv.Itoa(i+1), Value: v})
	}
	return params
}
