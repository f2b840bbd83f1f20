// Command states parks goroutines in many distinct, stable states so that a
// core file of it exercises every goroutine status / wait reason a Go
// inspector has to render. Each goroutine starts from its own named function.
//
// Protocol (shared with samples/programs/many):
//
//	start everything; wait until parked; runtime.GC() twice; sleep
//	$GOSPY_SAMPLE_WAIT seconds (default 0); write runtime.Stack(all) to
//	$GOSPY_STACK_OUT; print "READY"; park main on a channel receive forever.
package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"runtime"
	"runtime/pprof"
	"sync"
	"syscall"
	"time"
)

// All blocking objects are globals so that nothing is collected (a collected
// net.Conn would be closed by its finalizer and wake its reader).
var (
	chRecv      = make(chan int)
	chSend      = make(chan int)
	chSelA      = make(chan int)
	chSelB      = make(chan string)
	chSelC      = make(chan struct{})
	chLocked    = make(chan int)
	chDeep      = make(chan int)
	chClosure   = make(chan int)
	chInline    = make(chan int)
	chNested1   = make(chan int)
	chNested2   = make(chan int)
	chNested3   = make(chan int)
	chLabels    = make(chan int)
	chMainPark  = make(chan int)
	heldMutex   sync.Mutex
	rw          sync.RWMutex
	cond        = sync.NewCond(&sync.Mutex{})
	wg          sync.WaitGroup
	ticker      *time.Timer
	listenerA   net.Listener // Accept blocks forever
	listenerB   net.Listener
	clientConn  net.Conn // never writes
	serverConn  net.Conn // read blocks forever
	pipeFDs     [2]int
	spinCounter [2]uint64
	deepResult  int
	cgoHook     func() string // set by cgo.go in cgo builds
)

func blockChanRecv()      { <-chRecv }
func blockChanSend()      { chSend <- 1 }
func blockSelectNoCases() { select {} }

func blockSelect() {
	select {
	case <-chSelA:
	case chSelB <- "x":
	case <-chSelC:
	}
}

func blockNilChanRecv() {
	var c chan int
	<-c
}

func blockNilChanSend() {
	var c chan int
	c <- 1
}

func blockMutexLock() {
	heldMutex.Lock() // main holds it forever
	heldMutex.Unlock()
}

func blockRWMutexLock() { // writer waits for the reader main holds
	rw.Lock()
	rw.Unlock()
}

func blockRWMutexRLock() { // reader waits behind the pending writer
	rw.RLock()
	rw.RUnlock()
}

func blockCondWait() {
	cond.L.Lock()
	cond.Wait()
	cond.L.Unlock()
}

func blockWaitGroup() { wg.Wait() }

func blockSleep() { time.Sleep(1000 * time.Hour) }

func blockTimeAfter() { <-time.After(1000 * time.Hour) }

func blockTimerC() { <-ticker.C }

func blockNetAccept() {
	c, err := listenerA.Accept()
	if err == nil {
		c.Close()
	}
}

func blockNetRead() {
	buf := make([]byte, 64)
	serverConn.Read(buf)
}

func blockRawSyscall() {
	buf := make([]byte, 64)
	syscall.Read(pipeFDs[0], buf) // blocking fd, no writer ever writes
}

func blockLockedThread() {
	runtime.LockOSThread()
	<-chLocked
}

func spinA() {
	for {
		spinCounter[0]++
	}
}

func spinB() {
	for {
		spinCounter[1] = spinCounter[1]*3 + 1
	}
}

//go:noinline
func recurse(n int) int {
	if n == 0 {
		<-chDeep
		return 0
	}
	return recurse(n-1) + 1
}

func blockDeepRecursion() { deepResult = recurse(200) }

func startClosure() {
	x := 42
	go func() {
		<-chClosure
		x++
	}()
}

// inlA/inlB/inlC are small enough to be inlined into blockInlined.
func inlC() int { return <-chInline }
func inlB() int { return inlC() + 1 }
func inlA() int { return inlB() * 2 }

func blockInlined() { deepResult += inlA() }

func nestedLevel1() {
	go nestedLevel2()
	<-chNested1
}

func nestedLevel2() {
	go nestedLevel3()
	<-chNested2
}

func nestedLevel3() { <-chNested3 }

func blockWithLabels() {
	pprof.Do(context.Background(), pprof.Labels("k", "v", "key two", "x\"y"), func(ctx context.Context) {
		<-chLabels
	})
}

func setupNet() {
	var err error
	if listenerA, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
		panic(err)
	}
	if listenerB, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
		panic(err)
	}
	if clientConn, err = net.Dial("tcp", listenerB.Addr().String()); err != nil {
		panic(err)
	}
	if serverConn, err = listenerB.Accept(); err != nil {
		panic(err)
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
		if err := writeFile(out, buf); err != nil {
			fmt.Fprintln(os.Stderr, "write stack:", err)
			os.Exit(1)
		}
	}
}

func writeFile(name string, b []byte) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func sampleWait() time.Duration {
	var s int
	fmt.Sscan(os.Getenv("GOSPY_SAMPLE_WAIT"), &s)
	return time.Duration(s) * time.Second
}

func main() {
	if cgoHook != nil {
		fmt.Fprintln(os.Stderr, "cgo:", cgoHook())
	}
	setupNet()
	if err := syscall.Pipe(pipeFDs[:]); err != nil {
		panic(err)
	}
	heldMutex.Lock()
	rw.RLock()
	wg.Add(1)
	ticker = time.NewTimer(1000 * time.Hour)

	go blockChanRecv()
	go blockChanSend()
	go blockSelect()
	go blockSelectNoCases()
	go blockNilChanRecv()
	go blockNilChanSend()
	go blockMutexLock()
	go blockRWMutexLock()
	time.Sleep(100 * time.Millisecond) // writer must be pending before the reader comes
	go blockRWMutexRLock()
	go blockCondWait()
	go blockWaitGroup()
	go blockSleep()
	go blockTimeAfter()
	go blockTimerC()
	go blockNetAccept()
	go blockNetRead()
	go blockRawSyscall()
	go blockLockedThread()
	go blockDeepRecursion()
	startClosure()
	startGeneric() // generic.go (go1.18+) or generic_stub.go
	go blockInlined()
	go nestedLevel1()
	go blockWithLabels()

	time.Sleep(500 * time.Millisecond)
	// busy goroutines last, so they cannot delay the others from parking
	go spinA()
	go spinB()
	time.Sleep(50 * time.Millisecond)

	runtime.GC()
	runtime.GC()
	time.Sleep(sampleWait())

	writeStack()
	fmt.Println("READY")
	os.Stdout.Sync()
	<-chMainPark
}
