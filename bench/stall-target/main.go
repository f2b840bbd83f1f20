// Command stall-target is the target of bench/capture-stall.ts: a Go process with a configurable
// live heap and many parked goroutines, whose own ticker goroutine measures how long it was stalled.
//
// It allocates -heap-mib MiB of pointer-rich, touched objects (kept live), parks -goroutines
// goroutines on a channel (each -depth frames deep), and runs one goroutine that sleeps 1 ms in a
// loop and records the largest gap between wake-ups. It prints "READY" once set up. Each line "report" on stdin (or a
// SIGUSR1) prints "maxgap <microseconds>" (the largest gap since the previous report) and resets it.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

// node is 64 bytes: four pointers and four words of data.
type node struct {
	next, prev, left, right *node
	a, b, c, d              uintptr
}

var (
	root    []*node // one entry per 1 MiB of nodes, so the GC has many roots and deep chains
	maxGap  atomic.Int64
	parking = make(chan struct{})
)

func buildHeap(mib int) {
	const perChunk = (1 << 20) / 64
	root = make([]*node, 0, mib)
	var prevChunk *node
	for i := 0; i < mib; i++ {
		var head, last *node
		for j := 0; j < perChunk; j++ {
			n := &node{a: uintptr(i), b: uintptr(j), c: uintptr(i ^ j), d: 0x5eed}
			if head == nil {
				head = n
			} else {
				last.next = n
				n.prev = last
				n.left = head
				n.right = prevChunk
			}
			last = n
		}
		root = append(root, head)
		prevChunk = head
	}
}

// park recurses depth frames (about 300 bytes each, so stacks grow past the initial 2 KiB like a
// real server's) and blocks on a channel that is never closed.
func park(i, depth int) {
	var local [32]uintptr
	local[0] = uintptr(i)
	if depth > 0 {
		park(i, depth-1)
	} else {
		<-parking
	}
	runtime.KeepAlive(local)
}

func ticker() {
	last := time.Now()
	for {
		time.Sleep(time.Millisecond)
		now := time.Now()
		gap := now.Sub(last).Microseconds()
		last = now
		for {
			cur := maxGap.Load()
			if gap <= cur || maxGap.CompareAndSwap(cur, gap) {
				break
			}
		}
	}
}

func report() {
	fmt.Printf("maxgap %d\n", maxGap.Swap(0))
}

func main() {
	heapMiB := flag.Int("heap-mib", 1024, "MiB of live, pointer-rich heap to allocate")
	goroutines := flag.Int("goroutines", 10000, "parked goroutines to start")
	depth := flag.Int("depth", 8, "frames each parked goroutine recurses before blocking")
	flag.Parse()

	buildHeap(*heapMiB)
	for i := 0; i < *goroutines; i++ {
		go park(i, *depth)
	}
	runtime.GC()
	go ticker()

	usr1 := make(chan os.Signal, 1)
	signal.Notify(usr1, syscall.SIGUSR1)
	go func() {
		for range usr1 {
			report()
		}
	}()

	fmt.Println("READY")
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		switch strings.TrimSpace(sc.Text()) {
		case "report":
			report()
		case "quit":
			return
		}
	}
	runtime.KeepAlive(root)
}
