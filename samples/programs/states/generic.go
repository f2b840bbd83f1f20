//go:build go1.18
// +build go1.18

package main

type genericBox[T any] struct {
	c chan T
}

func (b *genericBox[T]) wait() T { return <-b.c }

var genericIntBox = &genericBox[int]{c: make(chan int)}

func genericWait[T any](b *genericBox[T]) T {
	return b.wait()
}

func startGeneric() { go genericWait[int](genericIntBox) }
