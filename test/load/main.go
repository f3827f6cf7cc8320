// Command load drives the create endpoint with a fixed number of
// concurrent clients for a fixed time and reports throughput and latency
// percentiles. It only sends to the URL it is given; run.sh points it at
// a server on loopback.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"net/http"
	"os"
	"slices"
	"sync"
	"time"
)

func main() {
	var (
		url      = flag.String("url", "http://127.0.0.1:18090/v1/tenants/30000000-0000-4000-8000-000000000001/support-requests", "create endpoint")
		token    = flag.String("token", "demo-owner-token-please-change", "bearer token")
		clients  = flag.Int("clients", 16, "concurrent clients")
		duration = flag.Duration("duration", 20*time.Second, "how long to send")
	)
	flag.Parse()
	body := []byte(`{"severity":"high","summary":"Load test request","reproduction_notes":"sent by test/load"}`)
	transport := &http.Transport{MaxIdleConnsPerHost: *clients}
	client := &http.Client{Transport: transport, Timeout: 30 * time.Second}

	var (
		mu        sync.Mutex
		latencies []time.Duration
		failures  = map[int]int{}
	)
	deadline := time.Now().Add(*duration)
	start := time.Now()
	var wg sync.WaitGroup
	for range *clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var local []time.Duration
			for time.Now().Before(deadline) {
				req, _ := http.NewRequest(http.MethodPost, *url, bytes.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+*token)
				req.Header.Set("Content-Type", "application/json")
				t0 := time.Now()
				resp, err := client.Do(req)
				took := time.Since(t0)
				status := 0
				if err == nil {
					status = resp.StatusCode
					resp.Body.Close()
				}
				if status != http.StatusCreated {
					mu.Lock()
					failures[status]++
					mu.Unlock()
					continue
				}
				local = append(local, took)
			}
			mu.Lock()
			latencies = append(latencies, local...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	slices.Sort(latencies)
	if len(latencies) == 0 {
		fmt.Fprintf(os.Stderr, "no request succeeded: %v\n", failures)
		os.Exit(1)
	}
	pct := func(p float64) time.Duration { return latencies[int(float64(len(latencies)-1)*p)] }
	fmt.Printf("clients=%d requests=%d failures=%v tps=%.1f p50=%.2fms p99=%.2fms\n",
		*clients, len(latencies), failures, float64(len(latencies))/elapsed.Seconds(),
		float64(pct(0.50).Microseconds())/1000, float64(pct(0.99).Microseconds())/1000)
}
