// Package testfill helps tests check that code derived from a struct
// handles every field: Fill gives every field a non-zero value, Shared
// finds memory two values have in common. Tests only.
package testfill

import (
	"reflect"
	"strings"
)

// Fill gives every exported field reachable from v a non-zero value:
// pointers point somewhere, slices and maps hold one element. v must be
// settable (reflect.ValueOf(&x).Elem()).
func Fill(v reflect.Value) {
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
		Fill(v.Elem())
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		Fill(v.Index(0))
	case reflect.Map:
		v.Set(reflect.MakeMap(v.Type()))
		k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		Fill(k)
		Fill(e)
		v.SetMapIndex(k, e)
	case reflect.Array:
		for i := range v.Len() {
			Fill(v.Index(i))
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				Fill(v.Field(i))
			}
		}
	}
}

// Shared names the first pointer, slice or map a and b have in common
// ("" when none), path being a's name.
func Shared(a, b reflect.Value, path string) string {
	switch a.Kind() {
	case reflect.Pointer:
		if a.IsNil() {
			return ""
		}
		if a.Pointer() == b.Pointer() {
			return path
		}
		return Shared(a.Elem(), b.Elem(), path)
	case reflect.Slice:
		if a.Len() > 0 && a.Pointer() == b.Pointer() {
			return path
		}
		return sharedElems(a, b, path)
	case reflect.Map:
		if a.Len() > 0 && a.Pointer() == b.Pointer() {
			return path
		}
	case reflect.Array:
		return sharedElems(a, b, path)
	case reflect.Struct:
		for i := range a.NumField() {
			if p := Shared(a.Field(i), b.Field(i), path+"."+a.Type().Field(i).Name); p != "" {
				return p
			}
		}
	}
	return ""
}

func sharedElems(a, b reflect.Value, path string) string {
	for i := range a.Len() {
		if p := Shared(a.Index(i), b.Index(i), path+"[i]"); p != "" {
			return p
		}
	}
	return ""
}

// JSONNames are the JSON names of a struct type's fields (the tag's name,
// without options), in order; fields without a tag or tagged "-" are left
// out.
func JSONNames(t reflect.Type) []string {
	var names []string
	for i := range t.NumField() {
		tag := t.Field(i).Tag.Get("json")
		name, _, _ := strings.Cut(tag, ",")
		if name != "" && name != "-" {
			names = append(names, name)
		}
	}
	return names
}
