package cache

import (
	"maps"
	"slices"
	"strconv"
)

func keysOf[E any](m map[string]*E) []string { return slices.Sorted(maps.Keys(m)) }

func itoa(v int64) string { return strconv.FormatInt(v, 10) }
