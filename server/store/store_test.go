package store

import (
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
)

// fill gives every field of v a non-zero value: pointers point somewhere,
// slices and maps hold one element.
func fill(v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		v.SetString("x")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(7)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(7)
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem())
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		fill(v.Index(0))
	case reflect.Map:
		v.Set(reflect.MakeMap(v.Type()))
		k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		fill(k)
		fill(e)
		v.SetMapIndex(k, e)
	case reflect.Array:
		for i := range v.Len() {
			fill(v.Index(i))
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i))
			}
		}
	}
}

// shared names the first pointer, slice or map a and b have in common.
func shared(a, b reflect.Value, path string) string {
	switch a.Kind() {
	case reflect.Pointer:
		if a.IsNil() {
			return ""
		}
		if a.Pointer() == b.Pointer() {
			return path
		}
		return shared(a.Elem(), b.Elem(), path)
	case reflect.Slice:
		if a.Len() > 0 && a.Pointer() == b.Pointer() {
			return path
		}
		for i := range a.Len() {
			if p := shared(a.Index(i), b.Index(i), path+"[i]"); p != "" {
				return p
			}
		}
	case reflect.Map:
		if a.Len() > 0 && a.Pointer() == b.Pointer() {
			return path
		}
	case reflect.Array:
		for i := range a.Len() {
			if p := shared(a.Index(i), b.Index(i), path+"[i]"); p != "" {
				return p
			}
		}
	case reflect.Struct:
		for i := range a.NumField() {
			if p := shared(a.Field(i), b.Field(i), path+"."+a.Type().Field(i).Name); p != "" {
				return p
			}
		}
	}
	return ""
}

// Every pointer, slice and map of a guest record, including fields added
// later, is copied by Clone: the guest cache never shares its copy.
func TestCloneSharesNothing(t *testing.T) {
	g := &Guest{}
	fill(reflect.ValueOf(g).Elem())
	c := g.Clone()
	assert.Equal(t, g, c, "the copy is equal")
	assert.Empty(t, shared(reflect.ValueOf(g), reflect.ValueOf(c), "Guest"), "the copy shares this with the original")

	empty := &Guest{}
	assert.Equal(t, empty, empty.Clone(), "nil slices and pointers stay nil")
}

// The test above would pass vacuously if fill left fields zero.
func TestFillSetsEveryField(t *testing.T) {
	g := Guest{}
	fill(reflect.ValueOf(&g).Elem())
	v := reflect.ValueOf(g)
	for i := range v.NumField() {
		assert.False(t, v.Field(i).IsZero(), "field %s", v.Type().Field(i).Name)
	}
}
