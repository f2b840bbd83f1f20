//go:build !go1.18
// +build !go1.18

package main

// Before Go 1.18 there are no generics: park an ordinary goroutine in the
// same place so that the goroutine count stays the same.
var genericStubChan = make(chan int)

func genericWaitStub() { <-genericStubChan }

func startGeneric() { go genericWaitStub() }
