//go:build cgo
// +build cgo

package main

/*
static int gospy_answer(int x) { return x * 2 + 0; }
*/
import "C"

import "strconv"

func init() {
	cgoHook = func() string { return "gospy_answer=" + strconv.Itoa(int(C.gospy_answer(21))) }
}
