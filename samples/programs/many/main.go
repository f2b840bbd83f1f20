// Command many parks more than 10,000 goroutines in a few different states,
// started from a few distinct functions. Same READY / stack-dump protocol as
// samples/programs/states:
//
//	start everything; wait until parked; runtime.GC() twice; sleep
//	$GOSPY_SAMPLE_WAIT seconds (default 0); write runtime.Stack(all) to
//	$GOSPY_STACK_OUT; print "READY"; park main on a channel receive forever.
package main

import (
	"fmt"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

const (
	nRecv   = 4000 // chan receive, spread over len(recvChans) channels
	nSleep  = 2500 // time.Sleep
	nMutex  = 2000 // sync.Mutex.Lock (main holds the mutex)
	nSelect = 2000 // select over two channels
)

var (
	recvChans  [8]chan int
	selA       = make(chan int)
	selB       = make(chan string)
	mu         sync.Mutex
	chMainPark = make(chan int)
	sink       int
	started    int32 // incremented by each goroutine just before it blocks
)

func init() {
	for i := range recvChans {
		recvChans[i] = make(chan int)
	}
}

func waitRecv(i int) {
	atomic.AddInt32(&started, 1)
	sink += <-recvChans[i%len(recvChans)]
}

func waitSleep(i int) {
	atomic.AddInt32(&started, 1)
	time.Sleep(time.Duration(1000+i) * time.Hour)
}

func waitMutex() {
	atomic.AddInt32(&started, 1)
	mu.Lock()
	mu.Unlock()
}

func waitSelect(i int) {
	atomic.AddInt32(&started, 1)
	select {
	case v := <-selA:
		sink += v + i
	case selB <- "x":
	}
}

func spawnAll() {
	for i := 0; i < nRecv; i++ {
		go waitRecv(i)
	}
	for i := 0; i < nSleep; i++ {
		go waitSleep(i)
	}
	for i := 0; i < nMutex; i++ {
		go waitMutex()
	}
	for i := 0; i < nSelect; i++ {
		go waitSelect(i)
	}
}

func writeStack() {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	if out := os.Getenv("GOSPY_STACK_OUT"); out != "" {
		f, err := os.Create(out)
		if err == nil {
			_, err = f.Write(buf)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "write stack:", err)
			os.Exit(1)
		}
	}
}

func main() {
	mu.Lock()
	spawnAll()
	for atomic.LoadInt32(&started) < nRecv+nSleep+nMutex+nSelect {
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(1000 * time.Millisecond) // the last ones get from the counter into their wait
	runtime.GC()
	runtime.GC()
	var s int
	fmt.Sscan(os.Getenv("GOSPY_SAMPLE_WAIT"), &s)
	time.Sleep(time.Duration(s) * time.Second)
	writeStack()
	fmt.Println("READY")
	os.Stdout.Sync()
	<-chMainPark
}
