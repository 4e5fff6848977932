package app

import "slices"

// Without is list without the ids in remove (never nil).
func Without(list, remove []string) []string {
	out := []string{}
	for _, x := range list {
		if !slices.Contains(remove, x) {
			out = append(out, x)
		}
	}
	return out
}

// Union is list with the ids of more it lacks appended, in order (a new
// slice).
func Union(list, more []string) []string {
	out := slices.Clone(list)
	for _, id := range more {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}
